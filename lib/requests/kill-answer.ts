import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * Answers a request whose task was killed, unless the handler already answered or the client is
 * gone (nothing is written to a closed socket). Then mutes the response: the handler, woken by
 * its aborted signal, typically answers too, and a write after ours would throw
 * ERR_HTTP_HEADERS_SENT into its code.
 */
export function answerKilled(res: ServerResponse, status: number, reason: unknown): boolean {
  const socket = socketOf(res);
  if (res.headersSent || res.writableEnded || res.destroyed || socket == null || socket.destroyed) return false;
  const body = JSON.stringify({ error: reason instanceof Error ? reason.message : "cancelled" });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
  res.end(body);
  mute(res);
  return true;
}

/** How long a forced request's answer may take to reach its client before the socket is destroyed anyway. */
const FLUSH_MS = 1_000;

/**
 * A forced kill's rung for a request: answers the kill status if nothing was answered yet and
 * closes the connection once the answer is out (at most a second later), else destroys the
 * socket at once, so that the client is released and the request's task ends (requests pipelined
 * after it on that connection go with it, as a closed HTTP/1.1 connection takes them). A response
 * still queued behind another request's on its connection is only answered: that connection is
 * left open. Returns what it did, or undefined when the connection was already gone or the
 * response already sent.
 */
export function forceClosed(res: ServerResponse, status: number, reason: unknown): string | undefined {
  const socket = socketOf(res);
  // Answered and sent in full: the task ends as its response closes, on the next tick.
  if (socket == null || socket.destroyed || res.writableFinished) return undefined;
  // A pipelined request's response waits in its connection's queue until the responses before it
  // are sent: the connection is theirs now, and closing it would cut another request's answer
  // (and end its task). Its kill answer (written at the cancel, or now) goes out in its turn and
  // ends the task; until then the task is left running.
  if (res.socket == null) {
    answerKilled(res, status, reason);
    return QUEUED;
  }
  if (answerKilled(res, status, reason)) {
    socket.end();
    setTimeout(() => socket.destroy(), FLUSH_MS).unref();
    return `answered ${status}, connection closed`;
  }
  socket.destroy();
  return res.headersSent ? "connection closed (its response had begun)" : "connection closed";
}

/** What the request rung did for a response queued behind another on its connection. */
export const QUEUED = "its answer waits behind an earlier response on its connection, left open";

/** A pipelined request's response has no socket until the ones before it are sent: its request's socket tells. */
function socketOf(res: ServerResponse): Socket | null | undefined {
  return res.socket ?? (res.req as IncomingMessage | undefined)?.socket;
}

function mute(res: ServerResponse): void {
  const self = () => res;
  const done = (...args: unknown[]) => {
    const callback = args.find((a) => typeof a === "function") as (() => void) | undefined;
    if (callback !== undefined) queueMicrotask(callback);
  };
  Object.assign(res, {
    writeHead: self,
    setHeader: self,
    appendHeader: self,
    removeHeader: () => undefined,
    flushHeaders: () => undefined,
    write: (...args: unknown[]) => (done(...args), true),
    end: (...args: unknown[]) => (done(...args), res),
  });
}
