import { subscribe } from "node:diagnostics_channel";
import { endWait, isAbort, openWait, waitingTask, type Wait, type WaitAborter } from "../core/waits";
import { originHostPort, pathOnly } from "./target";

/**
 * `fetch` waits, from the channels of undici (the client behind Node's global fetch, and the
 * npm package of that name): a request created inside a task is a wait `fetch METHOD host:port/path`
 * until its response has been read to its end (`trailers`) or it fails (`error`). Its end is
 * published where the socket's data arrives, in no task's context: the wait is found by the request.
 */

/** The fields of undici's request object this reads (its `abort` is set once it is on a connection). */
interface UndiciRequest {
  readonly method?: unknown;
  readonly origin?: unknown;
  readonly path?: unknown;
  readonly completed?: unknown;
  readonly aborted?: unknown;
  readonly abort?: unknown;
}

const waits = new WeakMap<object, Wait>();

/** Stops the request as undici's own abort does: its fetch rejects with `reason` as its cause. A request still queued for a connection cannot be reached this way (false). */
const aborter: WaitAborter = {
  abort(handle, reason) {
    const request = handle as UndiciRequest;
    if (request.completed === true || request.aborted === true || typeof request.abort !== "function") return false;
    (request.abort as (reason: unknown) => void)(reason instanceof Error ? reason : new Error(String(reason)));
    return true;
  },
};

function created(message: unknown): void {
  try {
    const task = waitingTask();
    if (task === undefined) return;
    const request = (message as { request?: UndiciRequest }).request;
    if (request === null || typeof request !== "object") return;
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
