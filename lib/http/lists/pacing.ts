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
