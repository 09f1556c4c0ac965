import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { DuplicateInstanceError } from "./errors";
import { GONE_RETENTION_MS, type FleetKeys } from "./keys";
import type { FleetConnection } from "./redis";

/** What an instance says about itself in its registry key (JSON). */
export interface InstanceRecord {
  instance: string;
  host: string;
  pid: number;
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms of the heartbeat that wrote this record. */
  beatAt: number;
  ttlMs: number;
  /** Live tasks at that heartbeat. */
  tasks: number;
  /** Tells this process's key from another's with the same name (not a secret). */
  nonce: string;
  /** The incarnation whose task ids the instance's list holds (see `bootOf`). */
  boot: string;
  /**
   * The process listens on `{…}:alive:<nonce>` for as long as it runs, from before this record was
   * first written: nobody there means it died, and a process joining under its name may take it
   * (see `Registration.takeOver`). A record without it is never taken over; it is free once expired.
   */
  aliveChannel?: true;
}

/** How long a process joining under a dead holder's name waits before it checks again that nobody listens for the holder, and takes the name. */
export const TAKEOVER_CONFIRM_MS = 1_000;

// One script, so that "is the name mine?" and the refresh cannot interleave with another process.
// The task list outlives the record by the gone retention: what a dead instance was running stays
// readable (as on a gone instance) for as long as the instance is listed as gone.
// Returns 0 and the holder's record when another process holds the name, 1 when refreshed, 2 when
// (re)created: after a Redis restart or expiry, the task list must then be published whole.
const REGISTER = `
local current = redis.call('GET', KEYS[1])
if current and not string.find(current, ARGV[1], 1, true) then return {0, current} end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4] - ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
redis.call('PEXPIRE', KEYS[3], ARGV[6])
if current then return {1} end
return {2}`;

// Takes the name from the holder whose record (ARGV[1]) the caller saw and found no one listening
// for: only while that exact record is still there (a heartbeat rewrites it: the holder lives; another
// process may have taken the name meanwhile) and nobody listens on the holder's alive channel
// (KEYS[4]) now either. The dead holder's task list goes with it: its ids are another boot's.
// Returns 0 and the record when the holder listens, 3 when the record is no longer the one seen,
// 2 when the name is the caller's now.
const TAKE_OVER = `
local current = redis.call('GET', KEYS[1])
if current ~= ARGV[1] then return {3} end
if tonumber(redis.call('PUBSUB', ARGV[7], KEYS[4])[2]) > 0 then return {0, current} end
redis.call('DEL', KEYS[3])
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4] - ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return {2}`;

const LEAVE = `
local current = redis.call('GET', KEYS[1])
if current and not string.find(current, ARGV[1], 1, true) then return 0 end
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1`;

/** Outcome of a registration: refreshed, created (publish everything), or the name is taken. */
export type Registered = "refreshed" | "created" | DuplicateInstanceError;

/** One instance's entry in the registry: a key with a TTL, refreshed by heartbeat, and its place in the instances set. */
export class Registration {
  readonly nonce = randomBytes(8).toString("hex");
  readonly startedAt = Date.now();

  constructor(
    private readonly redis: FleetConnection,
    private readonly keys: FleetKeys,
    readonly instance: string,
    private readonly ttlMs: number,
    private readonly boot: string,
  ) {}

  /** This process's record as of now. */
  private record(tasks: number, now: number): string {
    const record: InstanceRecord = {
      instance: this.instance,
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      beatAt: now,
      ttlMs: this.ttlMs,
      tasks,
      nonce: this.nonce,
      boot: this.boot,
      aliveChannel: true,
    };
    return JSON.stringify(record);
  }

  /** Writes the record with a fresh TTL (join and every heartbeat). Rejects when Redis does. */
  async register(tasks: number): Promise<Registered> {
    const now = Date.now();
    const { keys } = this;
    const answer = (await this.redis.command.eval(
      REGISTER,
      3,
      keys.instance(this.instance),
      keys.instances,
      keys.procs(this.instance),
      this.nonce,
      this.record(tasks, now),
      this.ttlMs,
      now,
      this.instance,
      GONE_RETENTION_MS,
    )) as [number, string?];
    if (answer[0] === 0) return new DuplicateInstanceError(this.instance, keys.service, describeHolder(answer[1]));
    return answer[0] === 2 ? "created" : "refreshed";
  }

  /** The record of another process holding the name now; undefined when the name is free or this process's. Rejects when Redis does. */
  async holder(): Promise<string | undefined> {
    const current = await this.redis.command.get(this.keys.instance(this.instance));
    return current === null || current.includes(this.nonce) ? undefined : current;
  }

  /**
   * Takes the name from `holder` (its record as `holder()` read it) when that process is provably
   * gone: its record says it listens on its alive channel, nobody listens there, and nobody does
   * after `confirm` either (a live holder whose subscriber was reconnecting has subscribed again
   * by then), while the record stayed the same (a heartbeat changes it). The second check and the
   * write are one script, so two processes taking one dead name cannot both win, and one that
   * took it is listening on its own alive channel already (subscribed before its join). Otherwise
   * the name is not taken: DuplicateInstanceError. Rejects when Redis does.
   */
  async takeOver(holder: string, tasks: number, confirm: () => Promise<unknown> = () => sleep(TAKEOVER_CONFIRM_MS)): Promise<Registered> {
    const { keys } = this;
    const refused = (record: string | undefined) => new DuplicateInstanceError(this.instance, keys.service, describeHolder(record));
    const nonce = aliveNonceOf(holder);
    if (nonce === undefined || (await this.redis.bus.heard(keys.alive(nonce))) > 0) return refused(holder);
    await confirm();
    const now = Date.now();
    const answer = (await this.redis.command.eval(
      TAKE_OVER,
      4,
      keys.instance(this.instance),
      keys.instances,
      keys.procs(this.instance),
      keys.alive(nonce),
      holder,
      this.record(tasks, now),
      this.ttlMs,
      now,
      this.instance,
      GONE_RETENTION_MS,
      this.redis.numsub,
    )) as [number, string?];
    // The record changed: expired (the name is free) or written by a live process; the usual registration tells.
    if (answer[0] === 3) return this.register(tasks);
    if (answer[0] === 0) return refused(answer[1]);
    return "created";
  }

  /**
   * Whether another process now holds the name (its record, not this one's, is under the key).
   * A missing key is not taken: Redis restarted or the key expired, and the next heartbeat
   * registers this process again.
   */
  async taken(): Promise<boolean> {
    const current = await this.redis.command.get(this.keys.instance(this.instance));
    return current !== null && !current.includes(this.nonce);
  }

  /** Removes the record and the task list at once; the instance stays listed as gone. */
  async leave(): Promise<void> {
    const { keys } = this;
    await this.redis.command.eval(
      LEAVE,
      3,
      keys.instance(this.instance),
      keys.instances,
      keys.procs(this.instance),
      this.nonce,
      Date.now(),
      this.instance,
    );
  }
}

/** The nonce of a holder whose record (untrusted) says it listens on its alive channel; undefined otherwise. */
function aliveNonceOf(record: string): string | undefined {
  try {
    const parsed = JSON.parse(record) as Partial<InstanceRecord> | null;
    if (parsed?.aliveChannel !== true || typeof parsed.nonce !== "string" || !/^[0-9a-f]{16}$/.test(parsed.nonce)) return undefined;
    return parsed.nonce;
  } catch {
    return undefined;
  }
}

/** The holder of a name, from its registry record (untrusted), for a DuplicateInstanceError. */
export function describeHolder(record: string | undefined): string {
  try {
    const parsed = JSON.parse(record ?? "") as Partial<InstanceRecord>;
    return `pid ${parsed.pid} on ${parsed.host}, last heartbeat ${new Date(Number(parsed.beatAt)).toISOString()}`;
  } catch {
    return "unknown holder";
  }
}
