import { hostname } from "node:os";
import type { ProcessManager } from "../core/manager";
import { optionChecker, type Checker } from "../schema/validation";

/**
 * Where the fleet lives: a `redis://` / `rediss://` URL (user and password allowed) of one Redis
 * or of any one node of a Redis Cluster (found to be one on connecting), a list of node URLs
 * (a Redis Cluster), or an ioredis client the app already has (`Redis` or `Cluster`).
 */
export type RedisSource = string | readonly string[] | RedisClient;

/**
 * An ioredis client (`new Redis(…)` or `new Cluster(…)`), as far as proclist's types name it, so
 * that they compile without ioredis installed: proclist duplicates it for subscriptions and publishes on it.
 */
export interface RedisClient {
  duplicate(...args: never[]): unknown;
  publish(...args: never[]): unknown;
}

/** Options shared by everything that reads or joins a fleet. */
export interface FleetOptions {
  /**
   * `redis://[user:password@]host:port[/db]` (`rediss://…` for TLS) of one Redis or of any node of a
   * Redis Cluster, a list of cluster node URLs, or an ioredis `Redis` or `Cluster` (never closed by proclist).
   */
  redis: RedisSource;
  /** The name grouping the instances of one service. Default: the `npm_package_name` of the process, else "default". */
  service?: string | undefined;
  /** Prefix of every Redis key and channel. Default "proclist:". */
  prefix?: string | undefined;
}

/** Options of a fleet reader: the fleet's, plus how long one request may wait. */
export interface FleetReaderOptions extends FleetOptions {
  /** Connecting, and each request routed to an instance, in ms. Default 5,000. */
  timeoutMs?: number | undefined;
}

/** Options of `joinFleet()`. */
export interface JoinFleetOptions extends FleetOptions {
  /** This instance's name, unique among the live instances of the service. Default `<hostname>-<pid>`. */
  instance?: string | undefined;
  /** The manager whose tasks the fleet sees. Default: the container's `ProcessManager`. */
  manager?: ProcessManager | undefined;
  /** How often the instance says it is alive, in ms. Default 5,000; at most a third of `ttlMs`. */
  heartbeatMs?: number | undefined;
  /** How long after its last heartbeat a silent instance disappears, in ms. Default 15,000. */
  ttlMs?: number | undefined;
  /** The shortest interval between two publications of the task list, in ms. Default 250. */
  publishMs?: number | undefined;
  /**
   * Called when the instance leaves the fleet by itself: its name was taken by another process
   * (DuplicateInstanceError, after this one was silent past its TTL). It then no longer answers
   * kills nor publishes; the app decides (exit and let the supervisor restart it, or join again
   * under a new name). Default: a process warning.
   */
  onError?: ((error: Error) => void) | undefined;
}

/** `joinFleet` options with defaults applied. */
export interface JoinConfig {
  redis: RedisSource;
  service: string;
  prefix: string;
  instance: string;
  manager: ProcessManager | undefined;
  heartbeatMs: number;
  ttlMs: number;
  publishMs: number;
  onError: ((error: Error) => void) | undefined;
}

/** Instance and service names: what is safe in a Redis key, a URL path segment and a shell word; no "/" so `<instance>/<id>` splits at the first one. */
export const NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$";
const NAME = { type: "string", pattern: NAME_PATTERN } as const;
const URL_TEXT = { type: "string", pattern: "^rediss?://", maxLength: 2048 } as const;
const fleetProperties = {
  redis: { anyOf: [URL_TEXT, { type: "array", items: URL_TEXT, minItems: 1, maxItems: 100 }, { type: "object" }] },
  service: NAME,
  // No braces: the prefix is inside the hash tag `{<prefix><service>}` that keeps a service in one cluster slot.
  prefix: { type: "string", pattern: "^[^\\s*?\\[\\]{}]{0,64}$" },
} as const;

const checkFleet: Checker<FleetOptions> = optionChecker<FleetOptions>(
  { type: "object", additionalProperties: false, required: ["redis"], properties: fleetProperties },
  "fleet option",
);
const checkJoin: Checker<JoinFleetOptions> = optionChecker<JoinFleetOptions>(
  {
    type: "object",
    additionalProperties: false,
    required: ["redis"],
    properties: {
      ...fleetProperties,
      instance: NAME,
      manager: { type: "object" },
      heartbeatMs: { type: "integer", minimum: 50, maximum: 600_000 },
      ttlMs: { type: "integer", minimum: 150, maximum: 3_600_000 },
      publishMs: { type: "integer", minimum: 10, maximum: 60_000 },
      onError: {},
    },
  },
  "fleet option",
);

/** Validates the options every fleet reader takes (TypeError naming the option and value) and applies defaults. */
export function resolveFleetOptions(options: unknown): { redis: RedisSource; service: string; prefix: string } {
  checkFleet(options);
  checkRedis(options.redis);
  return { redis: options.redis, service: options.service ?? defaultService(), prefix: options.prefix ?? "proclist:" };
}

/** Validates `joinFleet` options and applies the defaults. */
export function resolveJoinOptions(options: unknown): JoinConfig {
  checkJoin(options);
  checkRedis(options.redis);
  if (options.onError !== undefined && typeof options.onError !== "function")
    throw new TypeError(`invalid fleet option "onError": must be a function`);
  const ttlMs = options.ttlMs ?? 15_000;
  const heartbeatMs = options.heartbeatMs ?? Math.min(5_000, Math.floor(ttlMs / 3));
  if (heartbeatMs * 3 > ttlMs) {
    throw new TypeError(
      `invalid fleet option "heartbeatMs" ${heartbeatMs}: must be at most a third of ttlMs (${ttlMs}), so one lost heartbeat does not drop the instance`,
    );
  }
  return {
    redis: options.redis,
    service: options.service ?? defaultService(),
    prefix: options.prefix ?? "proclist:",
    instance: options.instance ?? defaultInstance(),
    manager: options.manager,
    heartbeatMs,
    ttlMs,
    publishMs: options.publishMs ?? 250,
    onError: options.onError,
  };
}

function checkRedis(redis: unknown): void {
  if (Array.isArray(redis)) {
    for (const url of redis) checkRedis(url);
    return;
  }
  if (typeof redis === "string") {
    let url: URL;
    try {
      url = new URL(redis);
    } catch {
      throw new TypeError(
        `invalid fleet option "redis" ${JSON.stringify(redis.replace(/\/\/[^@/]*@/, "//…@"))}: not a URL; expected redis://[user:password@]host:port`,
      );
    }
    if (url.hostname === "") throw new TypeError(`invalid fleet option "redis": the URL has no host`);
    return;
  }
  const client = redis as { duplicate?: unknown; publish?: unknown } | null;
  if (client === null || typeof client.duplicate !== "function" || typeof client.publish !== "function") {
    throw new TypeError(
      `invalid fleet option "redis": must be a redis:// or rediss:// URL, a list of them (the nodes of a Redis Cluster), or an ioredis client`,
    );
  }
}

function defaultService(): string {
  const name = (process.env.npm_package_name ?? "").replace(/^@[^/]*\//, "").replace(/[^A-Za-z0-9._:@-]/g, "-");
  return new RegExp(NAME_PATTERN).test(name) ? name : "default";
}

function defaultInstance(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9._:@-]/g, "-")
      .replace(/^[^A-Za-z0-9]+/, "")
      .slice(0, 100) || "host";
  return `${host}-${process.pid}`;
}
