import { boundEntry, type AuditEntry } from "./entry";

/** Where entries go besides the log's memory: a function of the app, the file sink, a Redis stream. */
export type AuditSink = (entry: AuditEntry) => void | Promise<void>;

/** What `GET /audit` asks: entries at or after `since` (epoch ms), newest first, at most `limit`. */
export interface AuditQuery {
  since?: number | undefined;
  limit?: number | undefined;
}

/** A source of past entries (the Redis stream of a fleet), newest first. */
export interface AuditStore {
  read(query: AuditQuery): Promise<AuditEntry[]>;
}

/**
 * The audit of one server: keeps the last `keep` entries in memory (what `GET /audit` answers on
 * one process) and hands each to the sinks after the current turn, so writing never delays or
 * fails the kill it records: a sink that throws or rejects is reported once and the entry stays
 * in memory.
 */
export class AuditLog {
  private readonly recent: AuditEntry[] = [];
  private readonly queue: AuditEntry[] = [];
  private scheduled = false;
  private warned = false;

  constructor(
    private readonly sinks: readonly AuditSink[],
    private readonly keep = 1_000,
    private readonly store?: AuditStore,
  ) {}

  /** Records an entry: in memory at once, to the sinks a turn later. Never throws. */
  record(entry: AuditEntry): void {
    const bounded = boundEntry(entry);
    this.recent.push(bounded);
    if (this.recent.length > this.keep) this.recent.shift();
    if (this.sinks.length === 0) return;
    this.queue.push(bounded);
    if (this.queue.length > this.keep) this.queue.shift();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Entries newest first: from the store when there is one (the fleet's stream), else from memory. */
  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    if (this.store !== undefined) return this.store.read(query);
    const limit = query.limit ?? 100;
    const since = query.since;
    const out: AuditEntry[] = [];
    for (let i = this.recent.length - 1; i >= 0 && out.length < limit; i--) {
      const entry = this.recent[i];
      if (since !== undefined && Date.parse(entry.ts) < since) break;
      out.push(entry);
    }
    return out;
  }

  private flush(): void {
    this.scheduled = false;
    for (const entry of this.queue.splice(0)) {
      for (const sink of this.sinks) {
        try {
          const done = sink(entry);
          if (done !== undefined && typeof done.then === "function") done.then(undefined, (error: unknown) => this.fault(error));
        } catch (error) {
          this.fault(error);
        }
      }
    }
  }

  private fault(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    process.emitWarning(
      `an audit sink failed (entries stay in memory; later failures are not reported): ${error instanceof Error ? error.message : String(error)}`,
      "ProclistAuditWarning",
    );
  }
}
