import type { ForceResult, ForceRung, Forcer, Task } from "./task";
import { waitsOf } from "./waits";

// The types a task holds and hands to extensions are declared with it (task.ts imports no module that needs a Task).
export type { ForceResult, ForceRung, Forcer } from "./task";

export const FORCE_RUNGS: readonly ForceRung[] = ["request", "waits", "worker"];

/** The default wait between the cancel and the first rung. */
export const DEFAULT_GRACE_MS = 5_000;
/** The longest grace a kill may ask for: one hour. */
export const MAX_GRACE_MS = 3_600_000;
/** How long the ladder waits for the task to end once its rungs were taken, before marking it as ignoring its cancel. */
export const SETTLE_MS = 1_000;

/** The outcome of a forced kill, as `proclist_kills_total` counts it. */
export type ForceOutcome = "cooperated" | "forced" | "ignored";

export function forceOutcome(result: ForceResult): ForceOutcome {
  return result.ignoringCancel ? "ignored" : result.cooperated ? "cooperated" : "forced";
}

/**
 * Registers what a forced kill can take away from `task` (an integration's part: the request
 * tracker its socket, the worker pool its worker). Returns the function that takes it back,
 * to call once the thing is released on its own. Nothing is registered on an ended task.
 */
export function onForce(task: Task, rung: ForceRung, force: () => string | undefined): () => void {
  if (!task.running) return noop;
  const forcer: Forcer = { rung, force };
  (task.forcers ??= []).push(forcer);
  return () => {
    const forcers = task.forcers;
    if (forcers === undefined) return;
    const at = forcers.indexOf(forcer);
    if (at !== -1) forcers.splice(at, 1);
  };
}

/** Resolves to true once `task` has ended, or to false after `ms` if it still runs. */
export function whenEnded(task: Task, ms: number): Promise<boolean> {
  if (!task.running) return Promise.resolve(true);
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      const waiters = task.endWaiters;
      if (waiters !== undefined) {
        const at = waiters.indexOf(wake);
        if (at !== -1) waiters.splice(at, 1);
      }
      resolve(!task.running);
    }, ms);
    // A pending force does not keep a process alive that has nothing else to do.
    timer.unref();
    (task.endWaiters ??= []).push(wake);
  });
}

/**
 * Takes each rung that applies, in order, on `tree` (a task and its live descendants, the task
 * first), recording each in the history of the task it acted on, with who asked. Returns the rungs taken.
 */
export function takeRungs(tree: readonly Task[], by: string | undefined): ForceRung[] {
  const taken: ForceRung[] = [];
  for (const rung of FORCE_RUNGS) {
    for (const task of tree) {
      if (!task.running || (task.forcers === undefined && (rung !== "waits" || task.waits === undefined))) continue;
      const done: string[] = [];
      if (rung === "waits") {
        const waits = abortedWaits(task);
        if (waits.aborted) done.push(waits.what);
        // Nothing stopped: the rung is not taken, but the history says what could not be.
        else if (waits.what !== "") task.mark(`[force waits${by === undefined ? "" : ` by ${by}`}: ${waits.what}]`);
      }
      // A copy: a forcer may release itself (and so another's place in the list) as it acts.
      for (const forcer of [...(task.forcers ?? [])]) {
        if (forcer.rung !== rung) continue;
        let what: string | undefined;
        try {
          what = forcer.force();
        } catch (error) {
          what = `failed: ${error instanceof Error ? error.message : String(error)}`;
        }
        if (what !== undefined) done.push(what);
      }
      if (done.length === 0) continue;
      task.mark(`[force ${rung}${by === undefined ? "" : ` by ${by}`}: ${done.join("; ")}]`);
      if (!taken.includes(rung)) taken.push(rung);
    }
  }
  return taken;
}

/**
 * Aborts the operations the task awaits (see waits.ts), with its cancel as the error the awaiting
 * code sees. Says which, and how many could not be stopped; when none was aborted, which could
 * not be (a Redis command, a `waitOn` without `abort`), or "" when it awaits nothing.
 */
function abortedWaits(task: Task): { aborted: boolean; what: string } {
  const aborted: string[] = [];
  const unabortable: string[] = [];
  // A copy: an abort may end its wait at once, which takes it out of the task's list.
  for (const wait of [...waitsOf(task)]) {
    if (wait.abort(task.cancel)) aborted.push(`${wait.kind} ${wait.target}`);
    else if (wait.outcome === undefined) unabortable.push(`${wait.kind} ${wait.target}`);
  }
  if (aborted.length === 0) return { aborted: false, what: unabortable.length === 0 ? "" : `could not abort ${listed(unabortable)}` };
  return {
    aborted: true,
    what: `aborted ${listed(aborted)}${unabortable.length === 0 ? "" : ` (${unabortable.length} could not be aborted)`}`,
  };
}

/** The first three, then how many more. */
function listed(what: readonly string[]): string {
  return what.slice(0, 3).join(", ") + (what.length > 3 ? ` and ${what.length - 3} more` : "");
}

/** Marks a task still running after the rungs as ignoring its cancel: a field, and a mark in its history. */
export function markIgnoring(task: Task, now: number): void {
  if (!task.running) return;
  task.ignoringCancelSince ??= Number.isNaN(task.cancelTime) ? now : task.cancelTime;
  task.mark(`[ignored cancel for ${seconds(now - task.ignoringCancelSince)}]`);
  task.rev++;
  task.owner.rev++;
}

/** `5.2 s`, `48 s`: how long, as the history says it. */
function seconds(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
}

function noop(): void {}
