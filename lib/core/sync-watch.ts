import type { Task } from "./task";

/**
 * What watches tasks' synchronous code as `enter` and `leave` (context.ts) switch the current
 * task: `held` hears of a task that held the event loop past its manager's `blockThresholdMs`
 * (loop-watch.ts installs it); `mark`, set only while a CPU profile runs, hears of every switch.
 * Unset, each costs one field read per switch.
 */
export const syncWatch = {
  mark: undefined as ((task: Task | undefined) => void) | undefined,
  held: (_task: Task, _start: number, _end: number): void => undefined,
};
