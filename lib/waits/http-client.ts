import { subscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import type { Socket } from "node:net";
import { endWait, isAbort, openWait, waitingTask, type Wait, type WaitAborter } from "../core/waits";
import { pathOnly, withPort } from "./target";

/**
 * `http` waits, from Node's `http.client.request.*` channels (node:http and node:https, and every
 * client built on them): a request made inside a task is a wait `http METHOD host:port/path`
 * until the request closes (its response read to its end, or the request destroyed) or fails.
 */

const waits = new WeakMap<object, Wait>();

/** Destroys the request with `reason`: its `error` event carries it, as a caller's own destroy would. */
const aborter: WaitAborter = {
  abort(handle, reason) {
    const request = handle as ClientRequest;
    if (request.destroyed) return false;
    // A request without an 'error' listener would make the abort an uncaught exception that
    // ends the process: its code never expected one, so the error is only seen by ours.
    if (request.listenerCount("error") === 0) request.once("error", ignore);
    const error = reason instanceof Error ? reason : new Error(String(reason));
    const queued = request.socket == null && unqueued(request);
    request.destroy(error);
    // Node fails a destroyed request once its agent hands it a socket, which may never come to
    // one queued behind requests that hang: taken out of the queue, it is failed now, as Node
    // fails a request whose socket could not be had.
    if (queued) (request.onSocket as (socket: Socket | null, error: Error) => void).call(request, null, error);
    return true;
  },
};

function ignore(): void {}

/** Takes a request out of its agent's queue of requests waiting for a socket; whether it was there. */
function unqueued(request: ClientRequest): boolean {
  const queues = (request as ClientRequest & { agent?: { requests?: Record<string, ClientRequest[] | undefined> } }).agent?.requests;
  if (queues === null || typeof queues !== "object") return false;
  for (const name of Object.keys(queues)) {
    const queue = queues[name];
    const at = Array.isArray(queue) ? queue.indexOf(request) : -1;
    if (at === -1) continue;
    queue!.splice(at, 1);
    if (queue!.length === 0) delete queues[name];
    return true;
  }
  return false;
}

/** The host the request is addressed to (its Host header, else the host it connects to), with the port. */
function hostOf(request: ClientRequest): string {
  const header = request.getHeader("host");
  const host = typeof header === "string" && header.length > 0 ? header : request.host;
  return withPort(host, request.protocol ?? "http:");
}

function started(message: unknown): void {
  try {
    const task = waitingTask();
    if (task === undefined) return;
    const request = (message as { request?: ClientRequest }).request;
    if (request === null || typeof request !== "object" || waits.has(request)) return;
    const wait = openWait(task, "http", `${request.method} ${hostOf(request)}${pathOnly(request.path)}`, request, aborter);
    waits.set(request, wait);
    request.once("close", closed);
  } catch {
    // instrumentation never breaks the code it instruments
  }
}

function failed(message: unknown): void {
  try {
    const { request, error } = message as { request?: object; error?: unknown };
    if (request === null || typeof request !== "object") return;
    const wait = waits.get(request);
    if (wait !== undefined) endWait(wait, isAbort(error) ? "aborted" : "error");
  } catch {
    // instrumentation never breaks the code it instruments
  }
}

/** The request closed: complete when its response was read to its end, else cut short (destroyed, or its socket gone). */
function closed(this: ClientRequest): void {
  try {
    const wait = waits.get(this);
    if (wait === undefined) return;
    waits.delete(this);
    const response = (this as ClientRequest & { res?: { complete?: unknown } }).res;
    endWait(wait, response?.complete === true ? "ok" : "aborted");
  } catch {
    // instrumentation never breaks the code it instruments
  }
}

/**
 * Subscribes to Node's http client channels (once per process). Node 22 on publishes a request
 * as it is made (`created`), so that one queued for a free socket of its agent is a wait (and can
 * be destroyed by a forced kill) from then on; Node 20 publishes it only once it is sent (`start`).
 */
export function watchHttpClients(): void {
  subscribe("http.client.request.created", started);
  subscribe("http.client.request.start", started);
  subscribe("http.client.request.error", failed);
}
