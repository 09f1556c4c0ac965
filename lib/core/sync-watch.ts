import type { Task } from "./task";

/**
 * What watches tasks' synchronous code as `enter` and `leave` (context.ts) switch the current
 * task: `held` hears of a task that held the event loop past its manager's `blockThresholdMs`
 * (loop-watch.ts installs it); `mark`, set only while a CPU profile runs, hears of every switch.
 * `touch`, set only while a CPU profile runs too, hears that a task's code is running at a point no
 * switch passes through: a tracked async call settling, right after its last continuation (on
 * Node 24+ a continuation of an await begun before the profile started runs with no async hook).
 * Unset, each costs one field read per switch (per settled call for `touch`).
 */
export const syncWatch = {
  mark: undefined as ((task: Task | undefined) => void) | undefined,
  touch: undefined as ((task: Task) => void) | undefined,
  held: (_task: Task, _start: number, _end: number): void => undefined,
};
