import type { ServerResponse } from "node:http";
import { HttpError, toHttpError } from "./http-error";
import { formatTime } from "./time";
import { now } from "../core/clock";

/** Headers on every JSON answer: no caching of live state, no content sniffing. */
const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store", "x-content-type-options": "nosniff" };

/** The current time in wire form, for `serverTime`. */
export function serverTime(): string {
  return formatTime(now());
}

/** Answers with JSON text already built (the hot paths build their text by hand). */
export function sendJsonText(res: ServerResponse, status: number, json: string, headers?: Record<string, string>): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, headers === undefined ? { ...JSON_HEADERS, "content-length": Buffer.byteLength(json) } : { ...JSON_HEADERS, ...headers, "content-length": Buffer.byteLength(json) });
  res.end(json);
}

/** Bodies larger than this are handed to the socket a slice at a time (see `sendJsonParts`). */
const PACED_BODY_BYTES = 256 * 1024;
const SLICE_BYTES = 64 * 1024;

/**
 * Answers with a body made of a cached buffer followed by a short per-request tail.
 *
 * A large body (a list of 10,000 tasks is ~2.5 MB) goes out one 64 KiB slice per event-loop turn,
 * the next slice only once the socket took the last: written whole, each answer was one long
 * copy into the kernel, and a flood of list requests held up the service's own requests for tens
 * of milliseconds (its p99 went from 5 to 23-38 ms with the list body already cached).
 */
export function sendJsonParts(res: ServerResponse, head: Buffer, tail: string): void {
  res.writeHead(200, { ...JSON_HEADERS, "content-length": head.length + Buffer.byteLength(tail) });
  if (head.length <= PACED_BODY_BYTES) {
    res.write(head);
    res.end(tail);
    return;
  }
  let at = 0;
  const next = (): void => {
    if (res.destroyed) return;
    const end = Math.min(at + SLICE_BYTES, head.length);
    const flushed = res.write(head.subarray(at, end));
    at = end;
    if (at === head.length) res.end(tail);
    else if (flushed) setImmediate(next);
    else res.once("drain", () => setImmediate(next));
  };
  next();
}

/** Answers `{ "error": message }` with the error's status; unexpected errors become a bare 500. */
export function sendError(res: ServerResponse, error: unknown): void {
  const http = toHttpError(error);
  if (http.status === 500 && !(error instanceof HttpError)) process.emitWarning(error instanceof Error ? error : String(error), "ProclistHttpWarning");
  if (res.headersSent) {
    // A stream already under way cannot change its status: cut it so the client sees a failure.
    res.destroy();
    return;
  }
  sendJsonText(res, http.status, JSON.stringify({ error: http.message }), http.headers as Record<string, string>);
}
