import { EventEmitter } from "node:events";
import type { Cluster, ClusterOptions, Redis, RedisOptions } from "ioredis";
import type { RedisSource } from "./options";
import { optionalPeer } from "../core/optional-peer";
import { FleetBus, heard, quit } from "./bus";

/**
 * Reconnect with backoff (0.1 s doubling to 5 s, with jitter) forever; commands fail at once
 * while disconnected instead of waiting in an offline queue, so nothing piles up while Redis
 * is away, and one command is retried at most once across a reconnect.
 */
const retryStrategy = (times: number) => Math.min(5_000, 100 * 2 ** Math.min(times, 6)) * (0.75 + Math.random() / 2);
const OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 5_000,
  retryStrategy,
};

/** ioredis, loaded on first use: `import "proclist"` must not load it. */
const ioredis = optionalPeer<typeof import("ioredis")>("ioredis", "proclist's fleet");

/**
 * The fleet's Redis: one server or a Redis Cluster, behind one surface. `command` carries the
 * commands (on a cluster, the ioredis `Cluster`, which answers every command the fleet sends as
 * one Redis does, since all keys of a service share a slot); `bus` the pub/sub. A URL of one
 * node is asked `INFO cluster` on connecting: a cluster is then reached through a `Cluster` client
 * started from that node, so `--redis <any node>` finds the whole cluster. Until that answer
 * `ready` is false and the fleet waits, as it does while Redis is away. Emits `ready` each time
 * commands can be sent again (connected, reconnected).
 */
export class FleetConnection extends EventEmitter {
  readonly bus: FleetBus;
  private client: Redis;
  private known = false;
  private closing: Promise<void> | undefined;
  /** Clients this connection opened (and closes); an app's client is never closed here. */
  private readonly own: { quit(): Promise<unknown>; disconnect(): void; status: string }[] = [];

  constructor(
    source: RedisSource,
    keyInSlot: string,
    private readonly name: string,
    private readonly onError: (error: Error) => void,
    private readonly commandTimeoutMs?: number,
  ) {
    super();
    this.bus = new FleetBus(keyInSlot, name, onError);
    const { Redis } = ioredis();
    // A list of one URL is that URL: one Redis, or a cluster found from its node.
    if (Array.isArray(source) && source.length === 1) source = source[0] as string;
    if (typeof source === "string") {
      const probe = new Redis(source, { ...OPTIONS, connectionName: name, ...this.timeout() });
      probe.on("error", onError);
      this.own.push(probe);
      this.client = probe;
      probe.once("ready", () => void this.detect(probe, true));
    } else if (Array.isArray(source)) {
      this.client = this.openCluster(
        source.map((url: string) => nodeOf(url)),
        credentialsOf(source[0] as string),
      );
    } else if ((source as { isCluster?: unknown }).isCluster === true) {
      this.client = source as unknown as Redis;
      this.useCluster(source as unknown as Cluster);
    } else {
      // An application's client is an ioredis Redis: the public type names only what proves it (see RedisClient).
      const app = source as Redis;
      this.client = app;
      if (app.status === "ready") void this.detect(app, false);
      else app.once("ready", () => void this.detect(app, false));
    }
  }

  /** The client for commands (on a cluster, the `Cluster`, typed as the `Redis` whose commands it answers). */
  get command(): Redis {
    return this.client;
  }

  /** Whether this is a Redis Cluster; undefined until Redis said. */
  get cluster(): boolean | undefined {
    return this.bus.sharded;
  }

  /**
   * The PUBSUB subcommand that counts a channel's subscribers: SHARDNUMSUB on a cluster (sharded
   * channels; sent with the service's keys, in one pipeline or transaction, it reaches the slot's
   * master, where the instances subscribe), NUMSUB on one Redis.
   */
  get numsub(): "NUMSUB" | "SHARDNUMSUB" {
    return this.cluster === true ? "SHARDNUMSUB" : "NUMSUB";
  }

  /** Whether a connection to Redis is open (answering or not): what tells a silent Redis from one not reached. */
  get connected(): boolean {
    return this.client.status === "connect" || this.client.status === "ready";
  }

  /** Whether a command sent now would be written at once (never queued). */
  get ready(): boolean {
    return this.known && this.client.status === "ready";
  }

  /** Resolves once commands can be sent, false after `ms` (the caller decides what that means). */
  whenReady(ms: number): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    return heard(this, "ready", ms);
  }

  /** The servers holding keys: the one Redis, or every master of the cluster (what a SCAN must visit). */
  masters(): Redis[] {
    if (this.cluster === true) return (this.client as unknown as Cluster).nodes("master");
    return [this.client];
  }

  /** Closes what this connection opened; a client the app passed in stays open. */
  close(): Promise<void> {
    return (this.closing ??= Promise.all([this.bus.close(), ...this.own.map((client) => quit(client))]).then(() => undefined));
  }

  private timeout(): RedisOptions {
    return this.commandTimeoutMs === undefined ? {} : { commandTimeout: this.commandTimeoutMs };
  }

  /**
   * Asks a connected Redis whether it is a cluster node, and goes on as one Redis or as a cluster.
   * One Redis that is a replica is left for its master (what INFO replication names), as a cluster
   * node that is a replica is: instances publish and listen on the master, and a replica counts no
   * subscriber there (every instance would look gone) nor takes a write. An app's own client to a
   * replica is not replaced: the connection stays not ready and says why.
   */
  private async detect(redis: Redis, owned: boolean, hops = 0): Promise<void> {
    let info: string;
    try {
      // One round trip: a slow Redis costs its latency once.
      const answers = (await redis.pipeline().info("cluster").info("replication").exec()) ?? [];
      const failed = answers.find(([error]) => error !== null);
      if (answers.length < 2 || failed !== undefined) throw failed?.[0] ?? new Error("no answer");
      info = `${String(answers[0][1])}\n${String(answers[1][1])}`;
    } catch {
      // Not answered: asked again on the next connect.
      redis.once("ready", () => void this.detect(redis, owned, hops));
      return;
    }
    if (this.closing !== undefined) return;
    const cluster = /^cluster_enabled:1\b/m.test(info);
    const master = cluster ? undefined : masterOf(info);
    if (master !== undefined) {
      const where = `${redis.options.host ?? "127.0.0.1"}:${redis.options.port ?? 6379}`;
      if (!owned || hops >= MAX_HOPS) {
        this.onError(new Error(`Redis at ${where} is a replica (of ${master.host}:${master.port}): the fleet needs its master`));
        return;
      }
      const next = new (ioredis().Redis)({ ...redis.options, host: master.host, port: master.port });
      next.on("error", this.onError);
      this.own.push(next);
      this.client = next;
      next.once("ready", () => void this.detect(next, true, hops + 1));
      redis.removeAllListeners("error");
      redis.on("error", () => undefined);
      void quit(redis);
      return;
    }
    if (!cluster) return this.useSingle(redis, owned);
    const { host = "127.0.0.1", port = 6379, username, password, tls } = redis.options;
    this.client = this.openCluster([{ host, port }], { username, password, tls });
    if (owned) {
      redis.removeAllListeners("error");
      redis.on("error", () => undefined);
      void quit(redis);
    }
  }

  private useSingle(redis: Redis, owned: boolean): void {
    // The subscriber: a connection of the bus's own, taking its channels again itself after a reconnect.
    const subscriber = owned
      ? redis.duplicate({ autoResubscribe: false })
      : redis.duplicate({ ...OPTIONS, connectionName: `${this.name}-sub`, autoResubscribe: false });
    subscriber.on("error", this.onError);
    this.own.push(subscriber);
    this.bus.attachSingle(redis, subscriber);
    this.known = true;
    redis.on("ready", () => this.emit("ready"));
    if (redis.status === "ready") this.emit("ready");
  }

  private openCluster(nodes: { host: string; port: number }[], node: RedisOptions): Redis {
    const { Cluster } = ioredis();
    const options: ClusterOptions = {
      enableOfflineQueue: false,
      clusterRetryStrategy: retryStrategy,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: 2_000,
      // Node connections keep a queue: a node the client meets first after a failover is connected on demand.
      redisOptions: { ...node, connectionName: this.name, maxRetriesPerRequest: 1, connectTimeout: 5_000, ...this.timeout() },
      // TLS to a managed cluster (ElastiCache, MemoryDB): the certificate names the host, not its address.
      ...(node.tls === undefined
        ? {}
        : { dnsLookup: (address: string, done: (error: null, address: string) => void) => done(null, address) }),
    };
    const cluster = new Cluster(
      nodes.map(({ host, port }) => ({ host, port })),
      options,
    );
    cluster.on("error", this.onError);
    this.own.push(cluster);
    this.useCluster(cluster);
    return cluster as unknown as Redis;
  }

  private useCluster(cluster: Cluster): void {
    this.client = cluster as unknown as Redis;
    this.bus.attachCluster(cluster, ioredis().Redis);
    this.known = true;
    cluster.on("ready", () => this.emit("ready"));
    if (cluster.status === "ready") queueMicrotask(() => this.emit("ready"));
  }
}

/** How many replicas in a row a connection follows to their master (a chain of replicas). */
const MAX_HOPS = 3;

/** The master a replica's INFO replication names (untrusted text); undefined for a master. */
function masterOf(info: string): { host: string; port: number } | undefined {
  if (!/^role:slave\b/m.test(info)) return undefined;
  const host = /^master_host:(\S{1,255})\r?$/m.exec(info)?.[1];
  const port = Number(/^master_port:(\d{1,5})\r?$/m.exec(info)?.[1]);
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** A cluster node's host and port from its URL (checked by the options already). */
function nodeOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname.replace(/^\[|\]$/g, ""), port: Number(parsed.port || 6379) };
}

/** The user, password and TLS of a node URL: the cluster's nodes share them. */
function credentialsOf(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    ...(parsed.username === "" ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === "" ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
  };
}

/**
 * A fleet connection for a URL, a list of cluster node URLs, or a client the app already has.
 * `keyInSlot` is any name of the service (its slot is the service's). `onError` hears connection
 * errors, which ioredis would otherwise print as unhandled. With `commandTimeoutMs`, a command
 * fails when Redis has not answered it by then (the subscriber has none: a subscription must not
 * be lost to a slow answer).
 */
export function openRedis(
  source: RedisSource,
  keyInSlot: string,
  name: string,
  onError: (error: Error) => void,
  commandTimeoutMs?: number,
): FleetConnection {
  return new FleetConnection(source, keyInSlot, name, onError, commandTimeoutMs);
}
