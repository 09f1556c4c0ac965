import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Answers a request whose task was killed, unless the handler already answered or the client is
 * gone (nothing is written to a closed socket). Then mutes the response: the handler, woken by
 * its aborted signal, typically answers too, and a write after ours would throw
 * ERR_HTTP_HEADERS_SENT into its code.
 */
export function answerKilled(res: ServerResponse, status: number, reason: unknown): void {
  // A pipelined request's response has no socket until the ones before it are sent: its request's socket tells.
  const socket = res.socket ?? (res.req as IncomingMessage | undefined)?.socket;
  if (res.headersSent || res.writableEnded || res.destroyed || socket == null || socket.destroyed) return;
  const body = JSON.stringify({ error: reason instanceof Error ? reason.message : "cancelled" });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
  res.end(body);
  mute(res);
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
