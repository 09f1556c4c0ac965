import { runInContext } from "./context";
import { CancelError } from "./errors";
import { abandonedIteration } from "./abandoned";
import { drainStranded, stranded } from "./stranded";
import { syncWatch } from "./sync-watch";
import { Booked, type Task } from "./task";

/**
 * Calls `fn` inside the task's async context and ends the task when the call settles.
 * Not `async` itself: a sync call stays sync and pays no promise; a native Promise ends the task
 * on settle; an async generator is tracked until its iteration ends (or it is garbage-collected).
 * Any other thenable (a query builder that runs when `then` is called, as Knex's and Mongoose's
 * do) is a value like any other: returned untouched, and the task ends as the method returns.
 *
 * `@Tracked` does the same in its own frame (see `endThrown`, `settled`): each level of a tracked
 * recursion then costs the method's frame and the wrapper's (see context.ts, `enter`).
 */
export function runInTask<R>(task: Task, fn: (...args: any[]) => R, thisArg: unknown, args: ArrayLike<unknown>): R {
  let result: R;
  try {
    result = runInContext(task, fn, thisArg, args);
  } catch (error) {
    return endThrown(task, error) as R;
  }
  return settled(task, result);
}

/**
 * Ends the task of a call that threw, and rethrows (or, for a swallowed cancellation, returns
 * undefined). With no room to record the end (a stack overflow still unwinding), it leaves the
 * task to the next end of a task that has room, and rethrows.
 */
export function endThrown(task: Task, error: unknown): undefined {
  try {
    return failed(task, error);
  } catch (thrown) {
    // Inline, no call: there may be no room for one.
    if ((task.booked & Booked.Ended) === 0) {
      stranded.tasks.push(task);
      stranded.error ??= error;
    }
    throw thrown;
  }
}

/** What a call that returned gives its caller: the result, once the task's end is arranged (see `runInTask`). */
export function settled<R>(task: Task, result: R): R {
  if (result instanceof Promise) return settleWith(task, result) as R;
  if (result !== null && typeof result === "object" && Object.prototype.toString.call(result) === "[object AsyncGenerator]") {
    return trackIteration(task, result as unknown as AsyncGenerator) as R;
  }
  task.owner.end(task, "ended");
  if (stranded.tasks.length !== 0) drainStranded();
  return result;
}

/** Ends the task when the promise settles. `then` of a Promise subclass is user code: if it throws, the task ends with that error. */
function settleWith(task: Task, promise: Promise<unknown>): Promise<unknown> {
  try {
    return promise.then(
      (value) => {
        if (syncWatch.touch !== undefined) syncWatch.touch(task);
        task.owner.end(task, "ended");
        return value;
      },
      (error) => {
        if (syncWatch.touch !== undefined) syncWatch.touch(task);
        return failed(task, error);
      },
    );
  } catch (error) {
    return failed(task, error) as never;
  }
}

/**
 * Records how the task ended and rethrows. Its own cancellation surfaces as the CancelError, even
 * when it arrived as an AbortError from a timer or stream, so callers catch one class with the
 * kill message; with `swallowCancel` it resolves to undefined instead.
 */
function failed(task: Task, error: unknown): undefined {
  const outcome = task.owner.outcomeOf(task, error);
  task.owner.end(task, outcome, error);
  if (stranded.tasks.length !== 0) drainStranded();
  if (outcome !== "killed") throw error;
  if (task.swallowCancel) return undefined;
  throw error instanceof CancelError ? error : (task.cancel ?? error);
}

/** Wraps an async generator so each step runs in the task's context and the task ends with the iteration. */
function trackIteration<T>(task: Task, generator: AsyncGenerator<T>): AsyncGenerator<T> {
  const settle = (step: Promise<IteratorResult<T>>): Promise<IteratorResult<T>> =>
    step.then(
      (result) => {
        if (syncWatch.touch !== undefined) syncWatch.touch(task);
        if (result.done) {
          unwatch();
          task.owner.end(task, "ended");
        }
        return result;
      },
      (error) => {
        if (syncWatch.touch !== undefined) syncWatch.touch(task);
        unwatch();
        failed(task, error);
        return { done: true, value: undefined };
      },
    );
  const tracked: AsyncGenerator<T> = {
    next: (...args: [] | [unknown]) => settle(runInContext(task, generator.next, generator, args)),
    return: (value: any) => settle(runInContext(task, generator.return, generator, [value])),
    throw: (error: unknown) => settle(runInContext(task, generator.throw, generator, [error])),
    [Symbol.asyncIterator]: () => tracked,
    // `await using` on the result ends the task as `return()` does.
    [Symbol.asyncDispose]: async () => {
      await tracked.return(undefined);
    },
  };
  // A consumer that stops reading without `return()` (its own client went away) drops the
  // generator: once it is collected, the task ends as abandoned.
  const unwatch = abandonedIteration.watch(tracked, task);
  return tracked;
}
