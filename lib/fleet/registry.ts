import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
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
}

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

  /** Writes the record with a fresh TTL (join and every heartbeat). Rejects when Redis does. */
  async register(tasks: number): Promise<Registered> {
    const now = Date.now();
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
    };
    const { keys } = this;
    const answer = (await this.redis.command.eval(
      REGISTER,
      3,
      keys.instance(this.instance),
      keys.instances,
      keys.procs(this.instance),
      this.nonce,
      JSON.stringify(record),
      this.ttlMs,
      now,
      this.instance,
      GONE_RETENTION_MS,
    )) as [number, string?];
    if (answer[0] === 0) return new DuplicateInstanceError(this.instance, keys.service, describeHolder(answer[1]));
    return answer[0] === 2 ? "created" : "refreshed";
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

/** The holder of a name, from its registry record (untrusted), for a DuplicateInstanceError. */
export function describeHolder(record: string | undefined): string {
  try {
    const parsed = JSON.parse(record ?? "") as Partial<InstanceRecord>;
    return `pid ${parsed.pid} on ${parsed.host}, last heartbeat ${new Date(Number(parsed.beatAt)).toISOString()}`;
  } catch {
    return "unknown holder";
  }
}
