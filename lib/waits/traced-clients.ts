import { subscribe } from "node:diagnostics_channel";
import { endWait, isAbort, openWait, waitingTask, type Wait } from "../core/waits";
import { serverOf } from "./target";

/**
 * Waits from the clients that publish a `TracingChannel` per operation: each operation started
 * inside a task is a wait from its `start` until its `asyncEnd` (or `error`). The context object
 * the client publishes is the same for all events of one operation: the wait is found by it.
 *
 * - ioredis 5.11+ (`ioredis:command`, `ioredis:batch`) and node-redis 5.12+ (`node-redis:command`, `node-redis:batch`):
 *   kind `redis`, target `COMMAND host:port` (no keys nor arguments: they can carry tokens);
 * - mysql2 3.20+ (`mysql2:query`, `mysql2:execute`): kind `mysql`, target the statement's first
 *   word and `host:port/database` (no SQL text: literals can carry anything).
 */

interface TraceContext {
  command?: unknown;
  batchMode?: unknown;
  batchSize?: unknown;
  query?: unknown;
  database?: unknown;
  serverAddress?: unknown;
  serverPort?: unknown;
  error?: unknown;
}

const waits = new WeakMap<object, Wait>();

function redisTarget(context: TraceContext): string {
  const server = serverOf(context.serverAddress, context.serverPort);
  // A command of a pipeline carries its batch too (node-redis): its own name says more.
  if (typeof context.command === "string") return `${context.command.toUpperCase()} ${server}`;
  return `${String(context.batchMode)} (${Number(context.batchSize)}) ${server}`;
}

function sqlTarget(context: TraceContext): string {
  const sql = typeof context.query === "string" ? context.query : "";
  const verb = /^\s*([A-Za-z]+)/.exec(sql.slice(0, 64))?.[1]?.toUpperCase() ?? "QUERY";
  const database = typeof context.database === "string" && context.database.length > 0 ? `/${context.database}` : "";
  return `${verb} ${serverOf(context.serverAddress, context.serverPort)}${database}`;
}

function watch(channel: string, kind: string, targetOf: (context: TraceContext) => string): void {
  subscribe(`tracing:${channel}:start`, (message) => {
    try {
      const task = waitingTask();
      if (task === undefined || message === null || typeof message !== "object") return;
      waits.set(message, openWait(task, kind, targetOf(message as TraceContext)));
    } catch {
      // instrumentation never breaks the code it instruments
    }
  });
  const end = (message: unknown) => {
    try {
      if (message === null || typeof message !== "object") return;
      const wait = waits.get(message);
      if (wait === undefined) return;
      waits.delete(message);
      const error = (message as TraceContext).error;
      endWait(wait, error === undefined ? "ok" : isAbort(error) ? "aborted" : "error");
    } catch {
      // instrumentation never breaks the code it instruments
    }
  };
  // A rejection publishes `error` then `asyncEnd`; a synchronous throw, `error` and no `asyncEnd`.
  subscribe(`tracing:${channel}:error`, end);
  subscribe(`tracing:${channel}:asyncEnd`, end);
}

/** Subscribes to the Redis and MySQL clients' tracing channels (once per process). */
export function watchTracedClients(): void {
  watch("ioredis:command", "redis", redisTarget);
  watch("ioredis:batch", "redis", redisTarget);
  watch("node-redis:command", "redis", redisTarget);
  watch("node-redis:batch", "redis", redisTarget);
  watch("mysql2:query", "mysql", sqlTarget);
  watch("mysql2:execute", "mysql", sqlTarget);
}
