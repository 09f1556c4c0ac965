import type { Task } from "./task";

/**
 * What watches tasks' synchronous code as `enter` and `leave` (context.ts) switch the current
 * task: `held` hears of a task that held the event loop past its manager's `blockThresholdMs`
 * (loop-watch.ts installs it); `mark`, set only while a CPU profile runs, hears of every switch.
 * `touch`, set only while a CPU profile runs too, hears that a task's code is running at a point no
 * switch passes through: a tracked async call settling, right after its last continuation (on
 * Node 24+ a continuation of an await begun before the profile started runs with no async hook).
 * Unset, each costs one field read per switch (per settled call for `touch`).
 *
 * `blamedMs` is the time of every block blamed so far in the process (it only grows): what it grew
 * by while a call ran is the time of the blocks blamed inside it, which are not the call's own.
 */
export const syncWatch = {
  mark: undefined as ((task: Task | undefined) => void) | undefined,
  touch: undefined as ((task: Task) => void) | undefined,
  /** `task`'s own code held the loop `ms` until `end` (epoch ms), past its manager's threshold. */
  held: (_task: Task, _ms: number, _end: number): void => undefined,
  blamedMs: 0,
};
