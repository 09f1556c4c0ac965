import type { ServerResponse } from "node:http";
import type { Waiter } from "./paced-build";
import { JSON_HEADERS, sendError } from "./respond";

/**
 * A response body known by its length up front, whose bytes come a piece at a time: kept pieces
 * (the list's cached blocks) or pieces made as they are asked for (a filtered list, encoded as it
 * goes out). Each call of `pieces()` starts from the first byte.
 */
export interface PacedBody {
  readonly length: number;
  pieces(): Iterator<Buffer>;
}

/** Bodies larger than this are handed to the socket a slice at a time. */
const PACED_BODY_BYTES = 256 * 1024;
/** What one response hands the socket per event-loop turn. */
export const SLICE_BYTES = 64 * 1024;

/**
 * Answers 200 with a JSON body followed by a short per-request tail (the list's `serverTime`).
 *
 * A large body (a list of 10,000 tasks is ~2.5 MB) goes out about 64 KiB per event-loop turn, the
 * next slice only once the socket took the last, so that a flood of list requests cannot hold up
 * the service's own requests: written whole, each answer was one long copy into the kernel and the
 * service's p99 went from 5 to 23-38 ms. Making a slice (encoding a filtered list) is paced alike.
 */
export function sendPaced(res: ServerResponse, body: PacedBody, tail: string): void {
  res.writeHead(200, { ...JSON_HEADERS, "content-length": body.length + Buffer.byteLength(tail) });
  if (res.req?.method === "HEAD") return void res.end();
  const pieces = body.pieces();
  const whole = body.length <= PACED_BODY_BYTES;
  const next = (): void => {
    if (res.destroyed) return;
    res.cork();
    let sent = 0;
    let flushed = true;
    for (;;) {
      const piece = pieces.next();
      if (piece.done === true) return void res.end(tail); // end() uncorks
      flushed = res.write(piece.value);
      sent += piece.value.length;
      if (!whole && sent >= SLICE_BYTES) break;
    }
    res.uncork();
    if (flushed) setImmediate(next);
    else res.once("drain", () => setImmediate(next));
  };
  next();
}

/** Answers with the body once it is made (`sendPaced`, the tail taken then), or with the error that made it fail. */
export function answerWith(res: ServerResponse, tail: () => string): Waiter<PacedBody> {
  return (error, body) => (error !== null ? sendError(res, error) : sendPaced(res, body!, tail()));
}
