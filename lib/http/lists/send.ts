import type { ServerResponse } from "node:http";
import type { Waiter } from "./build";
import { JSON_HEADERS, sendError } from "../responses/respond";
import { countSending, inTurn } from "./pacing";

/**
 * A response body known by its length up front, whose bytes come a piece at a time: kept pieces
 * (the list's cached blocks) or pieces made as they are asked for (a filtered list, encoded as it
 * goes out). Each call of `pieces()` starts from the first byte.
 */
export interface PacedBody {
  readonly length: number;
  pieces(): Iterator<Buffer>;
  /** Whether `pieces()` makes its pieces as they are asked for (then each takes its turn, see `inTurn`). */
  readonly madeAsSent?: boolean;
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
  if (res.destroyed) return; // its client went away while the body was being made
  res.writeHead(200, { ...JSON_HEADERS, "content-length": body.length + Buffer.byteLength(tail) });
  if (res.req?.method === "HEAD") return void res.end();
  const pieces = body.pieces();
  const whole = body.length <= PACED_BODY_BYTES;
  // Pieces made as they go take turns with all list work of the process, one slice per turn;
  // kept pieces (the plain list's blocks) only cost their write, a slice per turn per answer.
  const turn = body.madeAsSent === true ? inTurn : setImmediate;
  if (!whole) countSending(res);
  const next = (): void => {
    if (res.destroyed) return;
    res.cork();
    let sent = 0;
    let flushed = true;
    try {
      for (;;) {
        const piece = pieces.next();
        if (piece.done === true) return void res.end(tail); // end() uncorks
        flushed = res.write(piece.value);
        sent += piece.value.length;
        if (!whole && sent >= SLICE_BYTES) break;
      }
    } catch (error) {
      // A piece that cannot be made (it runs in a later turn, outside any handler): this answer
      // is cut off, its socket closed so the client sees a broken body, and the process lives on.
      return void res.destroy(error as Error);
    }
    res.uncork();
    if (flushed) turn(next);
    else res.once("drain", () => turn(next));
  };
  if (body.madeAsSent === true && !whole) turn(next);
  else next();
}

/** Answers with the body once it is made (`sendPaced`, the tail taken then), or with the error that made it fail. */
export function answerWith(res: ServerResponse, tail: () => string): Waiter<PacedBody> {
  return (error, body) => (error !== null ? sendError(res, error) : sendPaced(res, body!, tail()));
}
