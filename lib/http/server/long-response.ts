import type { IncomingMessage, ServerResponse } from "node:http";

/** Responses that do not end by themselves (event streams), see `holdOpen`. */
const held = new WeakSet<ServerResponse>();

/**
 * Marks `res` as a response that stays open until its client goes (an event stream): the server's
 * idle timeout does not apply to its connection (it can be quiet for long; its heartbeats find
 * clients that vanished); it ends as soon as the client closes its side (the server keeps
 * half-open connections, so that other answers reach such clients whole); and a malformed request
 * pipelined behind it does not wait for it to finish (see client-error.ts).
 */
export function holdOpen(req: IncomingMessage, res: ServerResponse): void {
  held.add(res);
  req.socket.setTimeout(0);
  req.socket.once("end", () => res.destroy());
}

/** Whether `res` was marked by `holdOpen`. */
export function isHeldOpen(res: ServerResponse): boolean {
  return held.has(res);
}

/**
 * Gives `req`'s connection `ms` more before the server's idle timeout cuts it, for an answer that
 * comes only after a wait the caller asked for: a forced kill answers once its grace and rungs
 * are over (a grace may be up to an hour, the idle timeout is 30 s). Node sets the idle timeout
 * again once the answer is out.
 */
export function answerAfter(req: IncomingMessage, ms: number): void {
  const socket = req.socket;
  const idle = socket.timeout;
  if (idle !== undefined && idle > 0) socket.setTimeout(idle + ms);
}
