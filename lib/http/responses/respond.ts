import type { ServerResponse } from "node:http";
import { HttpError, toHttpError } from "./http-error";
import { formatTime } from "./time";
import { now } from "../../core/clock";

/** Headers on every JSON answer: no caching of live state, no content sniffing. */
export const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store", "x-content-type-options": "nosniff" };

/** The current time in wire form, for `serverTime`. */
export function serverTime(): string {
  return formatTime(now());
}

/** Answers with JSON text already built (the hot paths build their text by hand). */
export function sendJsonText(res: ServerResponse, status: number, json: string, headers?: Record<string, string>): void {
  if (res.headersSent) return void res.end();
  res.writeHead(
    status,
    headers === undefined
      ? { ...JSON_HEADERS, "content-length": Buffer.byteLength(json) }
      : { ...JSON_HEADERS, ...headers, "content-length": Buffer.byteLength(json) },
  );
  res.end(json);
}

/** Answers `{ "error": message }` with the error's status; unexpected errors become a bare 500. */
export function sendError(res: ServerResponse, error: unknown): void {
  const http = toHttpError(error);
  if (http.status === 500 && !(error instanceof HttpError))
    process.emitWarning(error instanceof Error ? error : String(error), "ProclistHttpWarning");
  if (res.headersSent) {
    // A stream already under way cannot change its status: cut it so the client sees a failure.
    res.destroy();
    return;
  }
  sendJsonText(res, http.status, JSON.stringify({ error: http.message }), http.headers as Record<string, string>);
}

/**
 * Calls `call` once, when `res` has finished or its connection closed, whichever comes first; at
 * once when that already happened (an answer made after its client went away: without this, a
 * counter it keeps, such as the bodies being sent, would never come down).
 */
export function onceEnded(res: ServerResponse, call: () => void): void {
  if (res.writableFinished || res.destroyed) return call();
  let called = false;
  const done = (): void => {
    if (called) return;
    called = true;
    call();
  };
  res.once("finish", done).once("close", done);
}
