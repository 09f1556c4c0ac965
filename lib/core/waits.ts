import { cutText } from "./bound";
import { now } from "./clock";
import { activeTask } from "./context";
import type { OpenWait, PastWait, Task, WaitOutcome } from "./task";

// The types a task holds are declared with it (task.ts imports no module that needs a Task).
export type { PastWait, WaitLog, WaitOutcome } from "./task";

/** Characters of a wait's target kept: a URL path or a query text can be any length. */
export const MAX_WAIT_TARGET = 256;
/** Characters of a wait's kind kept (`waitOn` takes any text). */
export const MAX_WAIT_KIND = 32;
/** Finished waits kept per task for its history (the newest; `waitsDropped` counts the others). */
export const MAX_WAIT_LOG = 100;

/**
 * How a source stops the operation behind one of its waits (aborts a fetch, destroys a request):
 * one object per source, given the wait's `handle`, so that a wait costs no closure. Returns
 * whether the operation was stopped (false when it cannot be, or is already done).
 */
export interface WaitAborter {
  abort(handle: unknown, reason: unknown): boolean;
}

/**
 * One outbound operation a task is waiting on: what kind (`fetch`, `http`, `redis`, or a
 * `waitOn` kind), on what (`GET payments:443/charge`, never a query string), since when. Live from
 * `beginWait` until `endWait`; the operation itself is reachable only through `abort`, never shown.
 */
export class Wait implements OpenWait {
  /** Set once ended; an ended wait is out of its task's list. */
  outcome: WaitOutcome | undefined = undefined;
  /** Set by `abort`: the failure its source reports next is the abort's. */
  aborting = false;

  constructor(
    readonly task: Task,
    readonly kind: string,
    readonly target: string,
    /** Epoch ms, sub-ms precision. */
    readonly since: number,
    private handle: unknown,
    private readonly aborter: WaitAborter | undefined,
  ) {}

  /** Whether `abort` can stop the operation (its source knows how, and it is still running). */
  get abortable(): boolean {
    return this.aborter !== undefined && this.outcome === undefined;
  }

  /**
   * Stops the operation behind the wait, with `reason` as its error where the source takes one:
   * the code awaiting it sees it fail. The wait itself ends when its source reports the end.
   * Never throws: a source that fails to abort answers false.
   */
  abort(reason: unknown): boolean {
    if (this.aborter === undefined || this.outcome !== undefined) return false;
    try {
      this.aborting = true;
      return this.aborter.abort(this.handle, reason);
    } catch {
      return false;
    }
  }

  /** Lets go of the operation (the source's object), so an ended wait kept in a log holds nothing of it. */
  release(): void {
    this.handle = undefined;
  }
}

/**
 * Opens a wait on the task the calling code runs in, or answers undefined (and records nothing)
 * outside any task, or when the task's manager has waits off. The one cost outside a task is
 * the context read. `handle` is what `aborter` is given to stop the operation.
 */
export function beginWait(kind: string, target: string, handle?: unknown, aborter?: WaitAborter): Wait | undefined {
  const task = waitingTask();
  return task === undefined ? undefined : openWait(task, kind, target, handle, aborter);
}

/**
 * The task whose waits an operation starting now belongs to: the task the calling code runs in,
 * when it is running and its manager records waits. A source asks this first, and makes the
 * wait's target only when there is a task.
 */
export function waitingTask(): Task | undefined {
  const task = activeTask();
  return task === undefined || task.outcome !== undefined || !task.owner.options.waits ? undefined : task;
}

/** Opens a wait on a given live task (see `beginWait`). */
export function openWait(task: Task, kind: string, target: string, handle?: unknown, aborter?: WaitAborter): Wait {
  const wait = new Wait(task, cutText(kind, MAX_WAIT_KIND), cutText(target, MAX_WAIT_TARGET), now(), handle, aborter);
  if (task.waits === undefined) task.waits = [wait];
  else task.waits.push(wait);
  task.rev++;
  const manager = task.owner;
  manager.rev++;
  if (manager.events.active) manager.events.emit({ type: "wait", task, ts: wait.since });
  return wait;
}

/**
 * Ends a wait: out of its task's list, its time counted in the stats under the task's name and
 * kind, and kept for the history when it lasted `waitHistoryMs` or more. A second end, or the
 * end of a wait whose task has finished (it was dropped then), changes nothing.
 */
export function endWait(wait: Wait, outcome: WaitOutcome): void {
  if (wait.outcome !== undefined) return;
  if (outcome === "error" && wait.aborting) outcome = "aborted";
  wait.outcome = outcome;
  wait.release();
  const task = wait.task;
  const waits = task.waits;
  if (waits === undefined || task.outcome !== undefined) return;
  const at = waits.indexOf(wait);
  if (at === -1) return;
  if (waits.length === 1) task.waits = undefined;
  else waits.splice(at, 1);
  const end = now();
  const ms = end - wait.since;
  const manager = task.owner;
  manager.stats.waited(task.name, wait.kind, ms);
  if (ms >= manager.options.waitHistoryMs)
    logWait(task, { kind: wait.kind, target: wait.target, since: wait.since, durationMs: ms, outcome });
  task.rev++;
  manager.rev++;
  if (manager.events.active) manager.events.emit({ type: "wait", task, ts: end });
}

function logWait(task: Task, past: PastWait): void {
  const log = (task.waitLog ??= { waits: [], dropped: 0 });
  if (log.waits.length >= MAX_WAIT_LOG) {
    log.waits.shift();
    log.dropped++;
  }
  log.waits.push(past);
}

/** The waits a task has open now, oldest (so longest) first. Do not mutate. */
export function waitsOf(task: Task): readonly OpenWait[] {
  return task.waits ?? NONE;
}

/**
 * Aborts every open wait of a task that its source can stop (see `Wait.abort`), with `reason` as
 * the error the awaiting code sees. Answers how many were stopped and how many could not be
 * (no way to stop them, as a Redis command or a `waitOn` without `abort`).
 */
export function abortWaits(task: Task, reason: unknown): { aborted: number; unabortable: number } {
  const result = { aborted: 0, unabortable: 0 };
  // A copy: an abort may end its wait at once, which takes it out of the task's list.
  for (const wait of [...waitsOf(task)]) {
    if (wait.abort(reason)) result.aborted++;
    else if (wait.outcome === undefined) result.unabortable++;
  }
  return result;
}

/** Options of `waitOn`. */
export interface WaitOnOptions {
  /** How to stop the operation when the task is forced to end (a client's cancel); the wait's `abort` calls it with the reason. */
  abort?: ((reason: unknown) => void) | undefined;
}

const callAbort: WaitAborter = {
  abort(handle, reason) {
    (handle as (reason: unknown) => void)(reason);
    return true;
  },
};

/**
 * Marks `promise` as a wait of the current task until it settles, for a client that publishes
 * no diagnostics channel (`pg`, say): `await waitOn("pg", "SELECT orders", client.query(sql))`.
 * Returns a promise that settles as the given one does (same value, same rejection, unhandled if
 * nobody handles it); `then` of the given one is called once, so a query builder runs once.
 * Outside a task nothing is recorded. Bad arguments are a TypeError; the kind and target are cut
 * to 32 and 256 characters.
 */
export function waitOn<T>(kind: string, target: string, promise: PromiseLike<T>, options?: WaitOnOptions): Promise<T> {
  if (typeof kind !== "string" || kind.length === 0) throw new TypeError("waitOn: kind must be a non-empty string");
  if (typeof target !== "string") throw new TypeError("waitOn: target must be a string");
  if (promise === null || (typeof promise !== "object" && typeof promise !== "function") || typeof promise.then !== "function")
    throw new TypeError("waitOn: the third argument must be a promise");
  const abort = options?.abort;
  if (abort !== undefined && typeof abort !== "function") throw new TypeError("waitOn: options.abort must be a function");
  const wait = beginWait(kind, target, abort, abort === undefined ? undefined : callAbort);
  if (wait === undefined) return Promise.resolve(promise);
  return Promise.resolve(promise).then(
    (value) => {
      endWait(wait, "ok");
      return value;
    },
    (error: unknown) => {
      endWait(wait, isAbort(error) ? "aborted" : "error");
      throw error;
    },
  );
}

/** Whether an error is an abort (an AbortSignal's, or a `fetch` stopped by one). */
export function isAbort(error: unknown): boolean {
  if (error === null || typeof error !== "object") return false;
  const name = (error as { name?: unknown }).name;
  return name === "AbortError";
}

const NONE: readonly OpenWait[] = Object.freeze([]);
