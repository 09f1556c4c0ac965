import { executionAsyncResource } from "node:async_hooks";
import { subscribe } from "node:diagnostics_channel";
import type { Task } from "../core/task";
import { endWait, isAbort, openWait, waitingTask, type Wait, type WaitAborter } from "../core/waits";
import { originHostPort, pathOnly } from "./target";

/**
 * `fetch` waits, from the channels of undici (the client behind Node's global fetch, and the
 * npm package of that name): a request created inside a task is a wait `fetch METHOD host:port/path`
 * until its response has been read to its end (`trailers`) or it fails (`error`). Its end is
 * published where the socket's data arrives, in no task's context: the wait is found by the request.
 *
 * A dispatcher at its connection limit (an Agent or Pool with `connections`) queues a request
 * without creating it, and creates it once a connection is free: in the context of the response
 * that freed it, another task's. Whose request it is then comes from its handler where undici's
 * own APIs (`request`, `stream`, `pipeline`…) made it an AsyncResource of the caller's context;
 * fetch's handler carries no context, so a fetch created on a connection's drain is no task's wait
 * (never another task's).
 */

/** The fields of undici's request object this reads (its `abort` is set once it is on a connection; `onError` fails it). */
interface UndiciRequest {
  readonly method?: unknown;
  readonly origin?: unknown;
  readonly path?: unknown;
  readonly completed?: unknown;
  readonly aborted?: unknown;
  readonly abort?: unknown;
  readonly onError?: unknown;
  /** `onError`'s name from undici 8 on (Node 26). */
  readonly onResponseError?: unknown;
}

const waits = new WeakMap<object, Wait>();

/**
 * Stops the request as undici's own abort does: its fetch rejects with `reason` as its cause. A
 * request still queued for its connection (behind another request) has no `abort` yet: it is
 * failed as undici fails a request whose body errs before it is sent (`onError`, `onResponseError`
 * from undici 8 on), which marks it aborted, so its client drops it from the queue unsent.
 */
const aborter: WaitAborter = {
  abort(handle, reason) {
    const request = handle as UndiciRequest;
    if (request.completed === true || request.aborted === true) return false;
    const error = reason instanceof Error ? reason : new Error(String(reason));
    if (typeof request.abort === "function") (request.abort as (reason: unknown) => void)(error);
    else if (typeof request.onError === "function") (request.onError as (error: unknown) => void)(error);
    else if (typeof request.onResponseError === "function") (request.onResponseError as (error: unknown) => void)(error);
    else return false;
    return true;
  },
};

/** The symbol under which undici's request keeps its handler (one per copy of undici: Node's own, the package's). */
const handlerKeys: symbol[] = [];

/** The handler a request was dispatched with, or undefined. */
function handlerOf(request: object): unknown {
  for (const key of handlerKeys) {
    const handler = (request as Record<symbol, unknown>)[key];
    if (handler !== undefined) return handler;
  }
  const key = Object.getOwnPropertySymbols(request).find((symbol) => symbol.description === "handler");
  if (key === undefined || handlerKeys.length >= 8) return undefined;
  handlerKeys.push(key);
  return (request as Record<symbol, unknown>)[key];
}

/** The task a request is a wait of (see above), or undefined. */
function ownerOf(request: object): Task | undefined {
  const handler = handlerOf(request) as { runInAsyncScope?: unknown } | undefined;
  if (handler !== undefined && typeof handler.runInAsyncScope === "function")
    return (handler.runInAsyncScope as (fn: () => Task | undefined) => Task | undefined)(waitingTask);
  const task = waitingTask();
  return task === undefined || onDrain() ? undefined : task;
}

/**
 * Whether the request is being created by a dispatcher's drain (a queued request let through by
 * a freed connection) rather than by the code that dispatched it. undici lets queued requests
 * through from an Immediate it schedules; the stack is read only then, which fetch called by
 * task code never is (its dispatch follows the caller's own turn, or a promise job).
 */
function onDrain(): boolean {
  const resource = executionAsyncResource() as { constructor?: { name?: unknown } } | undefined;
  if (resource?.constructor?.name !== "Immediate") return false;
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  const holder: { stack?: unknown } = {};
  try {
    Error.stackTraceLimit = 24;
    Error.prepareStackTrace = (_, sites) => sites.some((site) => site.getFunctionName() === "emitDrain");
    Error.captureStackTrace(holder, onDrain);
    return holder.stack === true;
  } finally {
    Error.stackTraceLimit = limit;
    Error.prepareStackTrace = prepare;
  }
}

function created(message: unknown): void {
  try {
    const request = (message as { request?: UndiciRequest }).request;
    if (request === null || typeof request !== "object") return;
    const task = ownerOf(request);
    if (task === undefined) return;
    const target = `${String(request.method)} ${originHostPort(request.origin)}${pathOnly(request.path)}`;
    waits.set(request, openWait(task, "fetch", target, request, aborter));
  } catch {
    // instrumentation never breaks the code it instruments
  }
}

function ended(message: unknown): void {
  try {
    const request = (message as { request?: object }).request;
    if (request === null || typeof request !== "object") return;
    const wait = waits.get(request);
    if (wait === undefined) return;
    waits.delete(request);
    const error = (message as { error?: unknown }).error;
    endWait(wait, error === undefined ? "ok" : isAbort(error) ? "aborted" : "error");
  } catch {
    // instrumentation never breaks the code it instruments
  }
}

/** Subscribes to undici's request channels (once per process). */
export function watchFetch(): void {
  subscribe("undici:request:create", created);
  subscribe("undici:request:trailers", ended);
  subscribe("undici:request:error", ended);
}
