import { EventEmitter } from "node:events";
import type { Cluster, Redis, RedisOptions } from "ioredis";
import { slotOf } from "./slot";

/** Sends `SPUBLISH` from a script whose key is the channel: on a stale slot map the node answers MOVED (the client follows) instead of publishing to nobody. */
const SPUBLISH = "return redis.call('SPUBLISH', KEYS[1], ARGV[1])";
/** The subscribers of a sharded channel on the node that owns its slot (MOVED elsewhere, as above). */
const SHARDNUMSUB = "return redis.call('PUBSUB', 'SHARDNUMSUB', KEYS[1])[2]";

/** How long a cluster subscriber waits for one step (connect, CLUSTER NODES, SSUBSCRIBE) before trying again. */
const STEP_MS = 1_000;
/** What the cluster client says when its view of the cluster changed. */
const CLUSTER_EVENTS = ["refresh", "+node", "-node", "ready"] as const;
/** How often a publish that reached nobody on a cluster is tried again while the subscribers move (see `publishHeard`). */
const RETRY_MS = 50;

/**
 * The pub/sub of one service's fleet, on one Redis (PUBLISH / SUBSCRIBE on a connection of its
 * own) or on a Redis Cluster (sharded: SPUBLISH / SSUBSCRIBE, Redis 7+). Every channel of a
 * service is in one slot (see FleetKeys), so on a cluster one connection to that slot's master
 * carries the subscriptions; it is checked to be the master (CLUSTER NODES) before subscribing,
 * since a replica accepts SSUBSCRIBE too and a publish would then count no receiver.
 *
 * Channels asked for are remembered and taken again whenever they were lost: after a reconnect,
 * and on a cluster when the slot moves (a primary failover: the old master drops its shard
 * subscribers with an unrequested `sunsubscribe`; a node that goes away; the client's slot map
 * changing). Events: `message` (channel, text) and `subscribed` (again: true when subscriptions
 * were lost before, so messages may have been missed meanwhile).
 */
export class FleetBus extends EventEmitter {
  private readonly wanted = new Set<string>();
  private subscriber: Redis | undefined;
  private single: Redis | undefined;
  private cluster: Cluster | undefined;
  private subscribed = false;
  private everSubscribed = false;
  private closed = false;
  /** On a cluster: the node key (`host:port`) the subscriber is connected to, and whether that connection ever subscribed. */
  private nodeKey: string | undefined;
  private used = false;
  private moving: Promise<void> | undefined;
  private moveAgain = false;
  private readonly slot: number;
  private RedisClass: typeof Redis | undefined;
  private detach: () => void = () => undefined;

  constructor(
    slotKey: string,
    private readonly name: string,
    private readonly onError: (error: Error) => void,
  ) {
    super();
    this.slot = slotOf(slotKey);
  }

  /** Whether the bus is a cluster's (sharded) pub/sub; undefined until the connection knows. */
  get sharded(): boolean | undefined {
    return this.cluster !== undefined ? true : this.single !== undefined ? false : undefined;
  }

  /** One Redis: `subscriber` is a connection of the bus's own (not resubscribing by itself), `command` publishes. */
  attachSingle(command: Redis, subscriber: Redis): void {
    this.single = command;
    this.subscriber = subscriber;
    subscriber.on("message", (channel: string, text: string) => this.emit("message", channel, text));
    subscriber.on("ready", () => void this.subscribeAll(subscriber));
    subscriber.on("close", () => (this.subscribed = false));
    if (subscriber.status === "ready") void this.subscribeAll(subscriber);
  }

  /** A Redis Cluster: the bus follows the master of the service's slot with a connection of its own (a `RedisClass`). */
  attachCluster(cluster: Cluster, RedisClass: typeof Redis): void {
    this.cluster = cluster;
    this.RedisClass = RedisClass;
    // The client's view of the cluster changed (its periodic refresh, a MOVED, a node added or
    // gone): a slot that moved is followed even when its old master said nothing.
    const check = () => {
      if (this.wanted.size > 0 && (!this.subscribed || this.ownerKey() !== this.nodeKey)) this.move();
    };
    for (const event of CLUSTER_EVENTS) cluster.on(event, check);
    // The cluster may be the app's, and outlive this bus.
    this.detach = () => {
      for (const event of CLUSTER_EVENTS) cluster.off(event, check);
    };
    if (cluster.status === "ready") check();
  }

  /** Subscribes to `channels` (kept across reconnects and moves); resolves once they are subscribed. */
  async subscribe(channels: string[]): Promise<void> {
    const added = channels.filter((channel) => !this.wanted.has(channel));
    for (const channel of channels) this.wanted.add(channel);
    const subscriber = this.subscriber;
    if (this.subscribed && subscriber !== undefined && added.length > 0) {
      try {
        await (this.cluster === undefined ? subscriber.subscribe(...added) : timed(subscriber.ssubscribe(...added), STEP_MS));
        return;
      } catch {
        this.lost();
      }
    }
    if (this.subscribed) return;
    // On a cluster the subscriber connects on the first subscription (a reader that only lists needs none).
    if (this.cluster !== undefined && this.cluster.status === "ready") this.move();
    await new Promise<void>((resolve) => this.once("subscribed", () => resolve()));
  }

  /** Resolves true once subscribed, false after `ms`. */
  whenSubscribed(ms: number): Promise<boolean> {
    if (this.subscribed) return Promise.resolve(true);
    return heard(this, "subscribed", ms);
  }

  unsubscribe(channels: string[]): void {
    for (const channel of channels) this.wanted.delete(channel);
    const subscriber = this.subscriber;
    if (!this.subscribed || subscriber === undefined || subscriber.status !== "ready") return;
    (this.cluster === undefined ? subscriber.unsubscribe(...channels) : subscriber.sunsubscribe(...channels)).catch(() => undefined);
  }

  /** Publishes `text`; resolves with how many subscribers got it. */
  async publish(channel: string, text: string): Promise<number> {
    if (this.cluster !== undefined) return Number(await this.cluster.eval(SPUBLISH, 1, channel, text));
    if (this.single === undefined) throw new Error("Redis is not connected yet");
    return this.single.publish(channel, text);
  }

  /**
   * Publishes `text`; on a cluster, a publish that reached nobody is tried again for up to `ms`,
   * since the subscriber may be moving to a new master (after a failover) right then. The
   * receiver must take a repeated message as one (requests and answers carry an id).
   */
  async publishHeard(channel: string, text: string, ms: number): Promise<number> {
    const deadline = Date.now() + ms;
    for (;;) {
      const heard = await this.publish(channel, text);
      if (heard > 0 || this.cluster === undefined || Date.now() + RETRY_MS > deadline || this.closed) return heard;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  /** How many subscribers listen on `channel` now. */
  async heard(channel: string): Promise<number> {
    if (this.cluster !== undefined) return Number(await this.cluster.eval(SHARDNUMSUB, 1, channel));
    if (this.single === undefined) throw new Error("Redis is not connected yet");
    const [, count] = (await this.single.pubsub("NUMSUB", channel)) as [string, number];
    return Number(count);
  }

  /** Stops following the slot and closes the subscriber connection. */
  async close(): Promise<void> {
    this.closed = true;
    this.detach();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber !== undefined) await quit(subscriber);
  }

  private async subscribeAll(subscriber: Redis): Promise<void> {
    try {
      if (this.wanted.size > 0) await subscriber.subscribe(...this.wanted);
    } catch {
      return; // the next "ready" tries again
    }
    if (subscriber === this.subscriber) this.markSubscribed();
  }

  private markSubscribed(): void {
    const again = this.everSubscribed;
    this.everSubscribed = true;
    this.subscribed = true;
    this.emit("subscribed", again);
  }

  /** The cluster subscriber lost its subscriptions (the server dropped them, or the connection went). */
  private lost(): void {
    this.subscribed = false;
    this.move();
  }

  /** The `host:port` of the slot's master in the client's slot map. */
  private ownerKey(): string | undefined {
    return this.cluster?.slots[this.slot]?.[0];
  }

  /** Moves the subscriptions to the slot's master (one move at a time; asked again while moving, it moves once more). */
  private move(): void {
    if (this.closed || this.cluster === undefined) return;
    if (this.moving !== undefined) {
      this.moveAgain = true;
      return;
    }
    this.moving = (async () => {
      do {
        this.moveAgain = false;
        await this.moveOnce();
      } while (this.moveAgain && !this.closed && !(this.subscribed && this.ownerKey() === this.nodeKey));
    })().finally(() => (this.moving = undefined));
  }

  private async moveOnce(): Promise<void> {
    const cluster = this.cluster!;
    // The master a node named in its own view of the cluster (a demoted master knows its successor
    // before the client's slot map does): tried next at once, a few times in a row at most.
    let hint: string | undefined;
    let hints = 0;
    for (let attempt = 0, waits = 0; !this.closed; attempt++) {
      if (attempt > 0 && (hint === undefined || hints >= 3)) {
        hint = undefined;
        hints = 0;
        await new Promise((resolve) => setTimeout(resolve, Math.min(500, 25 * 2 ** Math.min(waits++, 5))));
        await new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve()));
      }
      if (this.closed) return;
      const owner = hint ?? this.ownerKey();
      if (hint !== undefined) hints++;
      hint = undefined;
      if (owner === undefined) continue;
      if (this.subscribed && owner === this.nodeKey) return;
      this.subscribed = false;
      // A fresh connection for each try: one that was subscribed has its subscriber state behind it.
      if (owner !== this.nodeKey || this.used || this.subscriber === undefined || this.subscriber.status === "end")
        this.connect(owner, cluster);
      const subscriber = this.subscriber!;
      try {
        if (!(await whenReady(subscriber, STEP_MS))) continue;
        const view = slotMaster(String(await timed(subscriber.call("CLUSTER", "NODES"), STEP_MS)), this.slot);
        if (view !== "myself") {
          if (view !== undefined && view !== owner) hint = view;
          continue;
        }
        this.used = true;
        if (this.wanted.size > 0) await timed(subscriber.ssubscribe(...this.wanted), STEP_MS);
      } catch {
        continue;
      }
      if (subscriber !== this.subscriber || this.closed) continue;
      this.markSubscribed();
      return;
    }
  }

  /** Replaces the subscriber connection by one to `nodeKey`, with the options the cluster uses for its nodes. */
  private connect(nodeKey: string, cluster: Cluster): void {
    const old = this.subscriber;
    if (old !== undefined) {
      old.removeAllListeners();
      old.on("error", () => undefined);
      old.disconnect();
    }
    const [host, port] = [nodeKey.slice(0, nodeKey.lastIndexOf(":")), Number(nodeKey.slice(nodeKey.lastIndexOf(":") + 1))];
    const known = cluster.nodes().find((node) => `${node.options.host}:${node.options.port}` === nodeKey);
    const base: RedisOptions = known?.options ?? cluster.options.redisOptions ?? {};
    const subscriber: Redis = new this.RedisClass!({
      ...pick(base),
      host,
      port,
      connectionName: base.connectionName ?? this.name,
      autoResubscribe: false,
      enableOfflineQueue: true,
      lazyConnect: false,
      // This bus reconnects by moving: the node may be gone for good (its replica took the slot).
      retryStrategy: () => null,
      connectTimeout: STEP_MS * 2,
    });
    this.subscriber = subscriber;
    this.nodeKey = nodeKey;
    this.used = false;
    subscriber.on("smessage", (channel: string, text: string) => this.emit("message", channel, text));
    subscriber.on("error", (error: Error) => {
      // ioredis reports the server's own `sunsubscribe` (a failover took the slot away) as a reply it did not expect.
      if (error.message.includes("sunsubscribe")) this.lost();
      else if (subscriber === this.subscriber && !this.closed) this.onError(error);
    });
    // SSUBSCRIBE answered MOVED (the slot is elsewhere): ioredis says so with this event.
    subscriber.on("moved", () => this.lost());
    subscriber.on("close", () => {
      if (subscriber === this.subscriber) this.lost();
    });
  }
}

/**
 * Who masters `slot` in a node's own `CLUSTER NODES` answer: "myself", another node's
 * `host:port`, or undefined when that node knows no master for it (the view is untrusted text).
 */
function slotMaster(nodes: string, slot: number): string | undefined {
  for (const line of nodes.split("\n")) {
    const fields = line.trim().split(" ");
    const flags = fields[2]?.split(",") ?? [];
    if (!flags.includes("master") || flags.includes("fail") || flags.includes("handshake")) continue;
    const holds = fields.slice(8).some((range) => {
      if (range.startsWith("[")) return false; // a slot being migrated or imported
      const [from, to = from] = range.split("-").map(Number);
      return slot >= from && slot <= to;
    });
    if (!holds) continue;
    if (flags.includes("myself")) return "myself";
    const address = /^(.+:\d+)(@\d+)?/.exec(fields[1] ?? "")?.[1];
    return address === undefined || address.startsWith(":") ? undefined : address;
  }
  return undefined;
}

/** The node options a subscriber connection shares with the cluster's own connections (credentials, TLS, timeouts). */
function pick(options: RedisOptions): RedisOptions {
  const { username, password, tls, family, keepAlive, noDelay, commandTimeout } = options;
  return { username, password, tls, family, keepAlive, noDelay, commandTimeout };
}

/** Resolves once `redis` is ready, false once it ended or after `ms`. */
function whenReady(redis: Redis, ms: number): Promise<boolean> {
  if (redis.status === "ready") return Promise.resolve(true);
  if (redis.status === "end") return Promise.resolve(false);
  return heard(redis, "ready", ms, "end");
}

/** Resolves true when `emitter` emits `yes`, false when it emits `no` or after `ms`, whichever comes first; listens no longer. */
export function heard(emitter: EventEmitter, yes: string, ms: number, no?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      emitter.off(yes, onYes);
      if (no !== undefined) emitter.off(no, onNo);
      resolve(ok);
    };
    const onYes = () => done(true);
    const onNo = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    emitter.on(yes, onYes);
    if (no !== undefined) emitter.on(no, onNo);
  });
}

/** `work`, or a rejection after `ms` (a SSUBSCRIBE answered MOVED is never settled by ioredis). */
function timed<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined);
  return Promise.race([
    work,
    new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * QUIT when connected (polite), else drop the connection; never rejects. A connection already ended
 * is left alone: ioredis's `disconnect()` on it waits 2 s for a close that already happened, and
 * that timer kept every `--redis` command alive 2 s past its answer (a subscriber's QUIT often
 * fails with "Connection is closed" as the server closes it first).
 */
export async function quit(redis: { status: string; quit(): Promise<unknown>; disconnect(): void }): Promise<void> {
  try {
    if (redis.status === "ready") await redis.quit();
    else if (redis.status !== "end") redis.disconnect();
  } catch {
    if (redis.status !== "end") redis.disconnect();
  }
}
