import { subscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import { endWait, isAbort, openWait, waitingTask, type Wait, type WaitAborter } from "../core/waits";
import { pathOnly, withPort } from "./target";

/**
 * `http` waits, from Node's `http.client.request.*` channels (node:http and node:https, and every
 * client built on them): a request started inside a task is a wait `http METHOD host:port/path`
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
    request.destroy(reason instanceof Error ? reason : new Error(String(reason)));
    return true;
  },
};

function ignore(): void {}

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

/** Subscribes to Node's http client channels (once per process). */
export function watchHttpClients(): void {
  subscribe("http.client.request.start", started);
  subscribe("http.client.request.error", failed);
}
