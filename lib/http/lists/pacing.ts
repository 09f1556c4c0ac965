import type { ServerResponse } from "node:http";
import { onceEnded } from "../responses/respond";

// The pacing state of all list work in the process, in one place: the queue of slices that take
// one event-loop turn each, and the count of large bodies being sent a slice at a time.

/**
 * Slices of list work waiting for their turn, first come first served, one per event-loop turn
 * for the whole process: the slices of list rebuilds, filters and sorts, and the pieces of
 * filtered answers made as they go out. However many such lists are being made and sent at once
 * (a flood of distinct hostile queries), the service's own requests wait for at most one slice of
 * that work per turn; the flood's answers come slower instead.
 */
const waiting: (() => void)[] = [];
let head = 0;
let scheduled = false;

/** Runs `slice` in a later event-loop turn, after the slices queued before it, one per turn. */
export function inTurn(slice: () => void): void {
  waiting.push(slice);
  if (!scheduled) {
    scheduled = true;
    setImmediate(runOne);
  }
}

function runOne(): void {
  scheduled = false;
  const slice = waiting[head];
  waiting[head++] = undefined as never;
  if (head === waiting.length) {
    waiting.length = 0;
    head = 0;
  } else if (!scheduled) {
    scheduled = true;
    setImmediate(runOne);
  }
  slice?.();
}

/** Large bodies being sent now, and what waits for there to be none. */
let sending = 0;
const whenIdle = new Set<() => void>();

/** Counts `res` as a large body being sent until it has ended. */
export function countSending(res: ServerResponse): void {
  sending++;
  onceEnded(res, () => {
    if (--sending > 0) return;
    const idle = [...whenIdle];
    whenIdle.clear();
    for (const call of idle) call();
  });
}

/** Whether large bodies are being sent a slice per turn: the loop has work besides a rebuild. */
export function sendingBodies(): boolean {
  return sending > 0;
}

/** Calls `call` once no large body is being sent (at once when none is); returns what takes it back. */
export function whenNoneSending(call: () => void): () => void {
  if (sending === 0) call();
  else whenIdle.add(call);
  return () => whenIdle.delete(call);
}
