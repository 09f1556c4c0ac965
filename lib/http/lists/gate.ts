import type { ServerResponse } from "node:http";
import { HttpError } from "../responses/http-error";
import { onceEnded } from "../responses/respond";

/** Seconds a refused client is asked to wait. */
const RETRY_AFTER_SECONDS = "1";

/**
 * How many filtered, sorted or finished-list answers an app makes and sends at once. Their work
 * takes turns with all list work of the process (one slice per event-loop turn, see `inTurn`), so
 * a flood of them makes its own answers slower, never the service's; this bound keeps the queue
 * (and the bodies it holds) from growing with the flood: past it, a request is answered 503 with
 * `Retry-After` at once, before any work is done for it.
 */
export class ListGate {
  private inFlight = 0;

  constructor(private readonly max: number) {}

  /** Counts `res` until it ends or is closed; throws the 503 when `max` answers are already under way. */
  admit(res: ServerResponse): void {
    if (this.inFlight >= this.max) {
      throw new HttpError(503, `too many filtered or sorted list requests under way (maxListQueries ${this.max}); retry later`, {
        "retry-after": RETRY_AFTER_SECONDS,
      });
    }
    this.inFlight++;
    onceEnded(res, () => this.inFlight--);
  }
}
