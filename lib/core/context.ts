import { AsyncLocalStorage, executionAsyncId } from "node:async_hooks";
import type { Task } from "./task";
import type { TaskHandle } from "./task-handle";

/**
 * The process's only AsyncLocalStorage for proclist: the first one turns on promise hooks that
 * make every `await` in the process dearer, so there must never be a second.
 */
export const taskContext = new AsyncLocalStorage<Task>();

// The task whose `runInContext` frame is innermost on the stack, and the async id it was entered
// under. While that frame runs synchronously and no other async scope was entered inside it (an
// `AsyncResource.bind` callback, say, which changes the async id), the current task is this one:
// reading two variables instead of `getStore()` (~25 ns each, and a tracked call makes several).
// Continuations after an await run on an empty stack, with the frame gone, and ask the storage.
let frameTask: Task | undefined;
let frameAsyncId = -1;

/** The task the calling code runs in, for proclist's own hot paths. */
export function activeTask(): Task | undefined {
  return frameTask !== undefined && executionAsyncId() === frameAsyncId ? frameTask : taskContext.getStore();
}

/** Calls `fn` with `thisArg` and `args` inside the task's async context (and the contexts its manager's extensions keep). */
export function runInContext<R>(task: Task, fn: (...args: any[]) => R, thisArg: unknown, args: ArrayLike<unknown>): R {
  const hooks = task.owner.hooks;
  if (hooks?.enter !== undefined) return hooks.enter(task, () => enterFrame(task, fn, thisArg, args));
  return enterFrame(task, fn, thisArg, args);
}

function enterFrame<R>(task: Task, fn: (...args: any[]) => R, thisArg: unknown, args: ArrayLike<unknown>): R {
  const outerTask = frameTask;
  const outerAsyncId = frameAsyncId;
  frameTask = task;
  frameAsyncId = executionAsyncId();
  try {
    return taskContext.run(task, Reflect.apply, fn, thisArg, args) as R;
  } finally {
    frameTask = outerTask;
    frameAsyncId = outerAsyncId;
  }
}

/** The task the calling code runs in (across awaits, timers and nested calls), or undefined. */
export function currentTask(): TaskHandle | undefined {
  return activeTask();
}
