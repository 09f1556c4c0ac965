import type { Redis, RedisOptions } from "ioredis";
import type { RedisSource } from "./options";
import { optionalPeer } from "../core/optional-peer";

/** A pair of connections: one for commands, one for subscriptions (a subscribed connection can do nothing else). */
export interface RedisPair {
  readonly command: Redis;
  readonly subscriber: Redis;
  /** Closes what this pair opened; a client the app passed in stays open. */
  close(): Promise<void>;
}

/**
 * Reconnect with backoff (0.1 s doubling to 5 s, with jitter) forever; commands fail at once
 * while disconnected instead of waiting in an offline queue, so nothing piles up while Redis
 * is away, and one command is retried at most once across a reconnect.
 */
const OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 5_000,
  retryStrategy: (times: number) => Math.min(5_000, 100 * 2 ** Math.min(times, 6)) * (0.75 + Math.random() / 2),
};

/** ioredis, loaded on first use: `import "proclist"` must not load it. */
const ioredis = optionalPeer<typeof import("ioredis")>("ioredis", "proclist's fleet");

/**
 * Opens the connections for a URL, or for a client the app already has: that client carries the
 * commands (it is never closed here) and a duplicate of it carries the subscriptions.
 * `onError` hears connection errors, which ioredis would otherwise print as unhandled. With
 * `commandTimeoutMs`, a command of the command connection this opens fails when Redis has not
 * answered it by then (the subscriber has none: a subscription must not be lost to a slow answer).
 */
export function openRedis(source: RedisSource, name: string, onError: (error: Error) => void, commandTimeoutMs?: number): RedisPair {
  const own = typeof source === "string";
  const { Redis } = ioredis();
  // A command Redis does not answer (frozen, not gone) fails after the timeout instead of waiting for it.
  // An application's client is an ioredis Redis: the public type names only what proves it (see RedisClient).
  const command = own
    ? new Redis(source, {
        ...OPTIONS,
        connectionName: name,
        ...(commandTimeoutMs === undefined ? {} : { commandTimeout: commandTimeoutMs }),
      })
    : (source as Redis);
  const subscriber = own ? command.duplicate() : command.duplicate({ ...OPTIONS, connectionName: `${name}-sub` });
  if (own) command.on("error", onError);
  subscriber.on("error", onError);
  let closing: Promise<void> | undefined;
  return {
    command,
    subscriber,
    close: () => (closing ??= Promise.all([own ? quit(command) : undefined, quit(subscriber)]).then(() => undefined)),
  };
}

/** Whether a command sent now would be written at once (never queued). */
export function isReady(redis: Redis): boolean {
  return redis.status === "ready";
}

/** Resolves once the connection is ready, false after `ms` (the caller decides what that means). */
export function whenReady(redis: Redis, ms: number): Promise<boolean> {
  if (isReady(redis)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off("ready", onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    redis.on("ready", onReady);
  });
}

/** QUIT when connected (polite), else drop the connection; never rejects. */
async function quit(redis: Redis): Promise<void> {
  try {
    if (isReady(redis)) await redis.quit();
    else redis.disconnect();
  } catch {
    redis.disconnect();
  }
}
