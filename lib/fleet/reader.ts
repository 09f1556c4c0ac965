import { DEFAULT_GRACE_MS, SETTLE_MS } from "../core/force";
import { MAX_TASK_NAME } from "../core/options";
import type { Redis } from "ioredis";
import { formatTime } from "../http/responses/time";
import { InstanceUnreachableError, redactUrl, RedisUnavailableError, unansweredWithin } from "./errors";
import { FleetKeys } from "./keys";
import { NAME_PATTERN, resolveFleetOptions, type FleetReaderOptions } from "./options";
import type { WireInstance } from "../wire/shapes";
import type { FleetFields, FleetOp, FleetReply } from "./protocol";
import { openRedis, type FleetConnection } from "./redis";
import type { FleetBus } from "./bus";
import type { InstanceRecord } from "./registry";
import { FleetRpc } from "./rpc";
import { BOOT_PATTERN } from "./boot";
import type { Query } from "../http/inputs/checks";
import { SELECT_STORED, storedSelectArgs } from "./stored-select";
import { MAX_LIST_ROWS, MAX_ROW_BYTES } from "./bounds";

/** Instances whose first pages are fetched in one round trip. */
const LISTS_PER_ROUND = 8;

/** Fields asked per HSCAN call: a page is ~1,000 tasks' JSON, a few hundred KB. */
const PAGE_FIELDS = 1000;

/**
 * The aggregator: reads the fleet of one service from Redis (instances, their task lists) and
 * routes requests (kill, history…) to one instance. Used by `serveFleet` and by `proclist … --redis`.
 * Every read is a few pipelined commands; nothing is cached, so each answer is what Redis holds now.
 */
export class FleetReader {
  readonly keys: FleetKeys;
  readonly url: string;
  readonly timeoutMs: number;
  private readonly redis: FleetConnection;
  private readonly rpc: FleetRpc;
  private lastError = "not connected";
  private readonly reported = new Set<string>();

  constructor(options: FleetReaderOptions) {
    const { redis, service, prefix } = resolveFleetOptions({ redis: options.redis, service: options.service, prefix: options.prefix });
    const timeoutMs = options.timeoutMs ?? 5_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
      throw new TypeError(`invalid fleet option "timeoutMs" ${JSON.stringify(timeoutMs)}: must be a positive whole number of ms`);
    this.timeoutMs = timeoutMs;
    this.keys = new FleetKeys(prefix, service);
    this.url =
      typeof redis === "string"
        ? redactUrl(redis)
        : Array.isArray(redis)
          ? (redis as readonly string[]).map(redactUrl).join(", ")
          : "the application's Redis client";
    this.redis = openRedis(redis, this.keys.instances, `proclist-fleet-${service}`, (error) => (this.lastError = error.message), timeoutMs);
    this.rpc = new FleetRpc(this.redis.bus, this.keys);
  }

  get service(): string {
    return this.keys.service;
  }

  get command(): Redis {
    return this.redis.command;
  }

  /** The fleet's Redis: one server or a cluster (see FleetConnection). */
  get connection(): FleetConnection {
    return this.redis;
  }

  get bus(): FleetBus {
    return this.redis.bus;
  }

  /** Resolves once Redis answers; RedisUnavailableError after `timeoutMs`. */
  async connected(): Promise<void> {
    if (!(await this.redis.whenReady(this.timeoutMs)))
      throw new RedisUnavailableError(
        this.url,
        this.redis.connected ? `connected, but it did not answer within ${this.timeoutMs} ms` : this.lastError,
      );
  }

  /** Every instance known to the service, up ones first, each group by name. */
  instances(): Promise<WireInstance[]> {
    return this.within(this.readInstances());
  }

  private async readInstances(): Promise<WireInstance[]> {
    const redis = await this.ready();
    const names: string[] = [];
    const seen: number[] = [];
    let records: (string | null)[];
    let subscribed: number[] | undefined;
    try {
      const flat = await redis.zrange(this.keys.instances, 0, -1, "WITHSCORES");
      for (let i = 0; i < flat.length; i += 2) {
        names.push(flat[i]);
        seen.push(Number(flat[i + 1]));
      }
      if (names.length === 0) records = [];
      else {
        const [[recordsError, got], listening] = (await redis
          .pipeline()
          .mget(names.map((name) => this.keys.instance(name)))
          .call("PUBSUB", this.redis.numsub, ...names.map((name) => this.keys.control(name)))
          .exec()) as [Error | null, unknown][];
        if (recordsError !== null) throw recordsError;
        records = got as (string | null)[];
        subscribed = subscribersOf(listening);
      }
    } catch (error) {
      throw this.unavailable(error);
    }
    const out: WireInstance[] = [];
    names.forEach((instance, i) => {
      const info = toInstance(instance, records[i], seen[i], subscribed?.[i]);
      if (typeof info === "string") this.report(`instance ${JSON.stringify(instance.slice(0, 140))}`, info);
      else out.push(info);
    });
    return out.sort((a, b) => (a.state === b.state ? a.instance.localeCompare(b.instance) : a.state === "up" ? -1 : 1));
  }

  /**
   * Calls `each` with the task lists of `instances` (fleet JSON texts as Buffers, in no order), a
   * page (HSCAN, ~PAGE_FIELDS values) at a time: the first pages of a few instances in one round
   * trip, then each instance's next pages, so an answer can be sent while the rest arrives and the
   * reader holds a page, not a list. A field seen twice (HSCAN may repeat one while the hash
   * changes) is passed once.
   */
  async eachList(
    instances: readonly string[],
    each: (instance: string, procs: Buffer[]) => void | Promise<void>,
    failed?: (instance: string, error: string) => void,
  ): Promise<void> {
    const redis = await this.ready();
    for (let at = 0; at < instances.length; at += LISTS_PER_ROUND) {
      const batch = instances.slice(at, at + LISTS_PER_ROUND);
      const pipeline = redis.pipeline();
      for (const instance of batch) pipeline.hscanBuffer(this.keys.procs(instance), "0", "COUNT", PAGE_FIELDS);
      let results: [Error | null, unknown][];
      try {
        results = (await this.within(pipeline.exec())) ?? [];
      } catch (error) {
        throw this.unavailable(error);
      }
      for (let i = 0; i < batch.length; i++) {
        const [error, page] = results[i] ?? [new Error("no answer")];
        // Redis refusing one key (of the wrong type: written by something else) costs that instance only.
        if (error && error.name === "ReplyError" && failed !== undefined) {
          this.report(`task list of instance ${JSON.stringify(batch[i])}`, error.message);
          failed(batch[i], `its task list in Redis is unreadable (${error.message.slice(0, 200)})`);
          continue;
        }
        if (error) throw this.unavailable(error);
        await this.pages(redis, batch[i], page as [Buffer, Buffer[]], (values) => each(batch[i], values), failed);
      }
    }
  }

  /**
   * One instance's task hash from its first HSCAN page on: `each` gets each page's values, a field
   * seen twice (HSCAN may repeat one while the hash changes) once. No more than MAX_LIST_ROWS fields
   * are passed: a longer hash is not an instance's list (the publishing script keeps it within), and
   * the rest is not read; `failed` is told so.
   */
  private async pages(
    redis: Redis,
    instance: string,
    first: [Buffer, Buffer[]],
    each: (procs: Buffer[]) => void | Promise<void>,
    failed?: (instance: string, error: string) => void,
  ): Promise<void> {
    const seen = new Set<string>();
    let [cursor, items] = first;
    for (;;) {
      const values: Buffer[] = [];
      let over = false;
      for (let k = 0; k + 1 < items.length; k += 2) {
        const field = items[k].toString("latin1");
        if (seen.has(field)) continue;
        if (seen.size >= MAX_LIST_ROWS) {
          over = true;
          break;
        }
        seen.add(field);
        values.push(items[k + 1]);
      }
      await each(values);
      if (over) {
        this.report(`task list of instance ${JSON.stringify(instance)}`, tooLong);
        failed?.(instance, tooLong);
        return;
      }
      if (cursor.toString() === "0") return;
      try {
        [cursor, items] = await this.within(redis.hscanBuffer(this.keys.procs(instance), cursor.toString(), "COUNT", PAGE_FIELDS));
      } catch (error) {
        throw this.unavailable(error);
      }
    }
  }

  /**
   * The values of one instance's task hash that may match a list query, selected inside Redis a
   * page at a time (SELECT_STORED: one HSCAN call each, so Redis is held for a page, not a list):
   * what is read for an instance that cannot answer for itself. The caller checks each value
   * exactly; a value seen twice (HSCAN may repeat one while the hash changes) may come twice. A hash
   * Redis refuses (of the wrong type) gives a ReplyError's message.
   */
  async storedMatches(instance: string, query: Query, leftOut?: (reason: string) => void): Promise<Buffer[] | string> {
    const redis = await this.ready();
    const args = storedSelectArgs(query);
    const out: Buffer[] = [];
    let cursor = "0";
    let scanned = 0;
    try {
      do {
        const [next, count, ...values] = (await this.within(
          redis.callBuffer("EVAL", SELECT_STORED, 1, this.keys.procs(instance), cursor, PAGE_FIELDS, ...args),
        )) as [Buffer, number, ...Buffer[]];
        cursor = next.toString();
        for (const value of values) out.push(value);
        scanned += Number(count);
        // More tasks than an instance writes: not proclist's list; the reader reads no more of it.
        if (scanned > MAX_LIST_ROWS || (scanned === MAX_LIST_ROWS && cursor !== "0")) {
          if (out.length > MAX_LIST_ROWS) out.length = MAX_LIST_ROWS;
          this.report(`task list of instance ${JSON.stringify(instance)}`, tooLong);
          leftOut?.(tooLong);
          break;
        }
      } while (cursor !== "0");
    } catch (error) {
      if (error instanceof Error && error.name === "ReplyError") {
        this.report(`task list of instance ${JSON.stringify(instance)}`, error.message);
        return `its task list in Redis is unreadable (${error.message.slice(0, 200)})`;
      }
      throw this.unavailable(error);
    }
    return out;
  }

  /**
   * Says once per reader, as a process warning, that something read from Redis was skipped: Redis
   * is shared, and a bad record must not cost the rest of the fleet, nor pass unnoticed.
   */
  report(what: string, why: string): void {
    const key = `${what}: ${why}`;
    if (this.reported.has(key) || this.reported.size >= 1000) return;
    this.reported.add(key);
    process.emitWarning(
      `proclist fleet: skipped ${what} of service ${JSON.stringify(this.service)} read from Redis: ${why}`,
      "ProclistFleetWarning",
    );
  }

  /**
   * One instance's state and task list read together (one MULTI with the list's first page), so a
   * list is never taken for an instance that is gone: its hash and its key go at once. The rest of
   * the list follows a page at a time (Redis is held for a page, never a whole hash), up to
   * MAX_LIST_ROWS tasks. `info` is undefined for a name the registry no longer knows (gone for
   * over an hour).
   */
  async instanceList(instance: string): Promise<{ info?: WireInstance; values: Buffer[] }> {
    const redis = await this.ready();
    let results: [Error | null, unknown][];
    try {
      results =
        (await this.within(
          redis
            .multi()
            .get(this.keys.instance(instance))
            .zscore(this.keys.instances, instance)
            .hscanBuffer(this.keys.procs(instance), "0", "COUNT", PAGE_FIELDS)
            .call("PUBSUB", this.redis.numsub, this.keys.control(instance))
            .exec(),
        )) ?? [];
    } catch (error) {
      throw this.unavailable(error);
    }
    const failed = results.slice(0, 3).find(([error]) => error !== null);
    if (results.length < 3 || failed !== undefined) throw this.unavailable(failed?.[0] ?? new Error("no answer"));
    const [[, record], [, score], [, page]] = results as [unknown, string | null][];
    const known = record !== null || score !== null;
    const listening = subscribersOf(results[3])?.[0];
    const info = known ? toInstance(instance, record as string | null, score === null ? Date.now() : Number(score), listening) : undefined;
    if (typeof info === "string") this.report(`instance ${JSON.stringify(instance)}`, info);
    const values: Buffer[] = [];
    await this.pages(redis, instance, page as unknown as [Buffer, Buffer[]], (procs) => {
      for (const value of procs) values.push(value);
    });
    return { ...(info !== undefined && typeof info !== "string" ? { info } : {}), values };
  }

  /**
   * The name task `id` has in the instance's list, for an audit entry of its kill; undefined when
   * it is not listed or its row is not a task's (the row is untrusted input). Never throws.
   */
  async taskName(instance: string, id: string): Promise<string | undefined> {
    try {
      const redis = await this.ready();
      const row = await this.within(redis.hget(this.keys.procs(instance), id));
      if (typeof row !== "string" || row.length > MAX_ROW_BYTES) return undefined;
      const name = (JSON.parse(row) as { name?: unknown } | null)?.name;
      // No instance writes a longer one: such a row is not a task's.
      return typeof name === "string" && name.length <= MAX_TASK_NAME ? name : undefined;
    } catch {
      return undefined;
    }
  }

  /** Routes one request to one instance and returns its answer (InstanceUnreachableError, RedisUnavailableError). */
  async ask(instance: string, op: FleetOp, fields: FleetFields = {}, extraMs = 0, signal?: AbortSignal): Promise<FleetReply> {
    await this.ready();
    try {
      // A forced kill answers once its ladder is over: the grace and the rungs' second come on top.
      const more = extraMs + (fields.force === true ? (fields.graceMs ?? DEFAULT_GRACE_MS) + SETTLE_MS : 0);
      return await this.within(this.rpc.call(instance, op, fields, this.timeoutMs + more, signal), instance, more);
    } catch (error) {
      if (error instanceof Error && error.name === "InstanceUnreachableError") throw error;
      throw this.unavailable(error);
    }
  }

  /** Asks every up instance at once; each answer or failure, by instance (`signal`: see `FleetRpc.call`). */
  async askAll(
    op: FleetOp,
    fields: FleetFields = {},
    extraMs = 0,
    signal?: AbortSignal,
  ): Promise<{ instance: string; reply?: FleetReply; error?: unknown }[]> {
    const up = (await this.instances()).filter((i) => i.state === "up");
    return Promise.all(
      up.map(({ instance }) =>
        this.ask(instance, op, fields, extraMs, signal).then(
          (reply) => ({ instance, reply }),
          (error: unknown) => ({ instance, error }),
        ),
      ),
    );
  }

  /**
   * The services that have instances under this reader's prefix, found by SCAN (never KEYS) on
   * every master of a cluster, at most `max` of them: what to suggest when the service asked for has none.
   */
  async services(max = 20): Promise<string[]> {
    await this.ready();
    const { prefix } = this.keys;
    const pattern = `{${prefix.replace(/[*?[\]\\]/g, "\\$&")}*}:instances`;
    const found = new Set<string>();
    for (const node of this.redis.masters()) {
      let cursor = "0";
      let rounds = 0;
      do {
        const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
        for (const key of keys) found.add(key.slice(prefix.length + 1, -"}:instances".length));
        cursor = next;
      } while (cursor !== "0" && found.size < max && ++rounds < 100);
    }
    return [...found].sort().slice(0, max);
  }

  /** Closes the connections this reader opened. */
  async close(): Promise<void> {
    this.rpc.close();
    await this.redis.close();
  }

  /**
   * `work` bounded by the timeout: Redis frozen (connected but silent) must cost a caller its
   * timeout, not the length of the freeze. Past it, RedisUnavailableError, or for a request routed
   * to `instance` InstanceUnreachableError (timed out); the request is dropped if it arrives later.
   */
  private within<T>(work: Promise<T>, instance?: string, extraMs = 0): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const ms = this.timeoutMs + extraMs;
    const late = new Promise<never>((_resolve, reject) => {
      // A routed request has its own timer for the answer; this one catches a publish Redis never answers.
      timer = setTimeout(
        () =>
          reject(
            instance === undefined
              ? new RedisUnavailableError(this.url, `no answer from Redis within ${ms} ms`)
              : new InstanceUnreachableError(instance, unansweredWithin(ms), true),
          ),
        instance === undefined ? ms : ms + 100,
      );
    });
    work.catch(() => undefined);
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  private async ready(): Promise<Redis> {
    if (!this.redis.ready) await this.connected();
    return this.redis.command;
  }

  private unavailable(error: unknown): RedisUnavailableError {
    return new RedisUnavailableError(this.url, error instanceof Error ? error.message : String(error));
  }
}

/**
 * The subscriber counts of PUBSUB NUMSUB's answer (channel, count, channel, count…), in the order
 * asked; undefined when Redis refused the command (an ACL may forbid it) or answered something else.
 */
function subscribersOf(result: [Error | null, unknown] | undefined): number[] | undefined {
  if (result === undefined || result[0] !== null || !Array.isArray(result[1])) return undefined;
  const flat = result[1] as unknown[];
  const counts: number[] = [];
  for (let i = 1; i < flat.length; i += 2) counts.push(Number(flat[i]));
  return counts;
}

/**
 * An instance from its registry record and its score in the instances set, both untrusted; a
 * string says why it cannot be shown (a name that is not an instance name, a time out of range).
 * `subscribed` is how many connections listen on its control channel: an instance listens there
 * from before it registers until it leaves, so none while its record lives means its Redis
 * connection dropped (the process died): gone since its last heartbeat, at once rather than when
 * its record expires. A frozen process keeps its connection, and its record's TTL is the backstop.
 */
function toInstance(instance: string, text: string | null, seen: number, subscribed?: number): WireInstance | string {
  if (!NAME.test(instance)) return "not an instance name";
  const seenTime = timeOf(seen);
  if (text === null)
    return seenTime === undefined
      ? `its last heartbeat (score ${String(seen).slice(0, 40)}) is not a time`
      : { instance, state: "gone", since: seenTime };
  let record: Partial<InstanceRecord>;
  try {
    record = JSON.parse(text) as Partial<InstanceRecord>;
    if (record === null || typeof record !== "object") throw new TypeError("not an object");
  } catch {
    return seenTime === undefined ? "its record is not JSON and its score not a time" : { instance, state: "up", since: seenTime };
  }
  const since = timeOf(record.beatAt) ?? seenTime;
  if (since === undefined) return "neither its record nor its score holds a heartbeat time";
  if (subscribed === 0) return { instance, state: "gone", since };
  const info: WireInstance = { instance, state: "up", since };
  if (typeof record.host === "string") info.host = record.host.slice(0, 256);
  if (Number.isSafeInteger(record.pid)) info.pid = record.pid;
  const startedAt = timeOf(record.startedAt);
  if (startedAt !== undefined) info.startedAt = startedAt;
  if (Number.isSafeInteger(record.tasks) && record.tasks! >= 0) info.tasks = record.tasks;
  if (typeof record.boot === "string" && BOOT.test(record.boot)) info.boot = record.boot;
  return info;
}

/** Epoch ms as the wire's time, when it is one of years 1970 to 9999; undefined otherwise. */
function timeOf(ms: unknown): string | undefined {
  return typeof ms === "number" && Number.isFinite(ms) && ms >= 0 && ms < 253402300800000 ? formatTime(ms) : undefined;
}

const NAME = new RegExp(NAME_PATTERN);
/** Why the rest of a task list in Redis was not read. */
const tooLong = `its task list in Redis holds more than the ${MAX_LIST_ROWS} tasks an instance writes: the rest is not read`;
const BOOT = new RegExp(BOOT_PATTERN);
