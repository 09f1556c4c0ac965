import { runInContext } from "./context";
import { CancelError } from "./errors";
import type { Task } from "./task";

/**
 * Calls `fn` inside the task's async context and ends the task when the call settles.
 * Not `async` itself: a sync call stays sync and pays no promise; a thenable result ends
 * the task on settle; an async generator is tracked until its iteration ends.
 */
export function runInTask<R>(task: Task, fn: (...args: any[]) => R, thisArg: unknown, args: unknown[]): R {
  let result: R;
  try {
    result = runInContext(task, fn, thisArg, args);
  } catch (error) {
    return failed(task, error) as R;
  }
  if (result !== null && typeof result === "object") {
    if (typeof (result as { then?: unknown }).then === "function") {
      return (result as unknown as PromiseLike<unknown>).then(
        (value) => {
          task.owner.finish(task, "ended");
          return value;
        },
        (error) => failed(task, error),
      ) as R;
    }
    if (Object.prototype.toString.call(result) === "[object AsyncGenerator]") {
      return trackIteration(task, result as unknown as AsyncGenerator) as R;
    }
  }
  task.owner.finish(task, "ended");
  return result;
}

/**
 * Records how the task ended and rethrows. Its own cancellation surfaces as the CancelError, even
 * when it arrived as an AbortError from a timer or stream, so callers catch one class with the
 * kill message; with `swallowCancel` it resolves to undefined instead.
 */
function failed(task: Task, error: unknown): undefined {
  const outcome = task.owner.outcomeOf(task, error);
  task.owner.finish(task, outcome, error);
  if (outcome !== "killed") throw error;
  if (task.swallowCancel) return undefined;
  throw error instanceof CancelError ? error : (task.cancel ?? error);
}

/** Wraps an async generator so each step runs in the task's context and the task ends with the iteration. */
function trackIteration<T>(task: Task, generator: AsyncGenerator<T>): AsyncGenerator<T> {
  const settle = (step: Promise<IteratorResult<T>>): Promise<IteratorResult<T>> =>
    step.then(
      (result) => {
        if (result.done) task.owner.finish(task, "ended");
        return result;
      },
      (error) => {
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
  return tracked;
}
