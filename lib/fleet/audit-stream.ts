import type { AuditEntry } from "../audit/entry";
import type { AuditQuery, AuditSink, AuditStore } from "../audit/log";
import { HttpError } from "../http/responses/http-error";
import { validateWire } from "../wire/schemas";
import type { FleetConnection } from "./redis";

/** Entries kept in memory while Redis cannot take them; past it the oldest are dropped and counted. */
const MAX_PENDING = 10_000;
/** Entries sent in one pipeline. */
const BATCH = 100;
/** The last time a Date can hold, in epoch ms. */
const MAX_TIME_MS = 8.64e15;

/**
 * A service's audit as a Redis Stream (`<prefix><service>:audit`), bounded with `XADD … MAXLEN ~`,
 * so entries outlive every instance and fleet API restarting. Writing never waits for Redis: an
 * entry joins a bounded queue (10,000) that is sent in pipelines while Redis is ready and again
 * once it is back; a write that fails stays queued. Reading (`XREVRANGE`) treats what is stored as
 * untrusted: anything that is not an entry is skipped.
 */
export class AuditStream implements AuditStore {
  private readonly pending: string[] = [];
  private dropped = 0;
  private writing = false;

  constructor(
    private readonly redis: FleetConnection,
    private readonly key: string,
    private readonly maxLen: number,
  ) {
    redis.on("ready", () => this.drain());
  }

  /** The sink to give the AuditLog. */
  readonly sink: AuditSink = (entry) => {
    if (this.pending.length >= MAX_PENDING) {
      this.pending.shift();
      this.dropped++;
    }
    this.pending.push(JSON.stringify(this.dropped === 0 ? entry : { ...entry, droppedBefore: this.dropped }));
    this.dropped = 0;
    this.drain();
  };

  /**
   * Resolves once every entry handed to the sink is in Redis, or after `ms` (what a short-lived
   * caller such as the command line waits before it exits); true when nothing is left waiting.
   */
  async written(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while ((this.pending.length > 0 || this.writing) && Date.now() < deadline) {
      this.drain();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.pending.length === 0 && !this.writing;
  }

  /** Entries waiting for Redis (none while it is up and keeping pace). */
  get waiting(): number {
    return this.pending.length;
  }

  async read(query: AuditQuery): Promise<AuditEntry[]> {
    const limit = query.limit ?? 100;
    if (!this.redis.ready)
      throw new HttpError(
        503,
        `Redis is unreachable: the audit stream cannot be read now (${this.pending.length} entries wait in memory to be written)`,
      );
    // Stream ids are the time Redis took each entry: never earlier than the entry's own time, so
    // `since` can start the range there; the entries' own times decide the final cut and order.
    // Clamped to what a stream id can be (0 to the last time a Date holds): an id Redis refuses
    // (a negative year, 20 digits of epoch ms) answered 503 instead of everything, or nothing.
    const start = query.since === undefined ? "-" : String(Math.min(Math.max(0, Math.floor(query.since)), MAX_TIME_MS));
    let rows: [string, string[]][];
    try {
      rows = (await this.redis.command.xrevrange(this.key, "+", start, "COUNT", limit)) as [string, string[]][];
    } catch (error) {
      throw new HttpError(503, `the audit stream could not be read: ${(error as Error).message}`);
    }
    const entries: AuditEntry[] = [];
    for (const [, fields] of rows) {
      const entry = parseEntry(fields);
      if (entry !== undefined && (query.since === undefined || Date.parse(entry.ts) >= query.since)) entries.push(entry);
    }
    for (const text of this.pending) {
      const entry = parseEntry(["entry", text]);
      if (entry !== undefined && (query.since === undefined || Date.parse(entry.ts) >= query.since)) entries.push(entry);
    }
    return entries.sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0)).slice(0, limit);
  }

  private drain(): void {
    if (this.writing || this.pending.length === 0 || !this.redis.ready) return;
    this.writing = true;
    const batch = this.pending.splice(0, BATCH);
    const pipeline = this.redis.command.pipeline();
    for (const text of batch) pipeline.xadd(this.key, "MAXLEN", "~", this.maxLen, "*", "entry", text);
    pipeline
      .exec()
      .then(
        (results) => {
          const failed = batch.filter((_, i) => results?.[i]?.[0] != null);
          this.requeue(failed);
        },
        () => this.requeue(batch),
      )
      .finally(() => {
        this.writing = false;
        this.drain();
      });
  }

  /** Puts entries Redis did not take back in front, within the bound. */
  private requeue(texts: string[]): void {
    if (texts.length === 0) return;
    this.pending.unshift(...texts);
    while (this.pending.length > MAX_PENDING) {
      this.pending.shift();
      this.dropped++;
    }
  }
}

/** An entry read back from Redis, or undefined when the field is not one (anyone with write access could have put anything there). */
function parseEntry(fields: string[]): AuditEntry | undefined {
  const at = fields.indexOf("entry");
  if (at < 0 || at % 2 !== 0 || typeof fields[at + 1] !== "string" || fields[at + 1].length > 1 << 20) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(fields[at + 1]);
  } catch {
    return undefined;
  }
  // Every field checked, nested ones too, against the wire's shape: one entry with a null filter or
  // a numeric message must cost only itself, not every reader's whole answer.
  return validateWire.auditEntry(value) ? (value as AuditEntry) : undefined;
}
