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
  try {
    return enter(task, fn, thisArg, args);
  } finally {
    frameTask = outerTask;
    frameAsyncId = outerAsyncId;
  }
}

/**
 * How a task's context is entered: `run`, on every runtime. With async hooks (Node 20 and 22) it
 * writes the store on the current async resource and back (~25 ns). With AsyncContextFrame
 * (Node 24+) it builds the task's frame on entry and restores the caller's by reference on exit.
 *
 * Not `new AsyncResource().runInAsyncScope()` around `enterWith`, although it measured cheaper on
 * Node 24+: Node pushes the resource's id on its async id stack and pops it in a `finally`, and a
 * stack overflow inside tracked recursion can strike that `finally` — the pop is skipped and Node
 * aborts the whole process ("async hook stack has become corrupted", seen on Node 26), where
 * untracked code gets a catchable RangeError.
 */
function enter<R>(task: Task, fn: (...args: any[]) => R, thisArg: unknown, args: ArrayLike<unknown>): R {
  frameTask = task;
  frameAsyncId = executionAsyncId();
  return taskContext.run(task, Reflect.apply, fn, thisArg, args) as R;
}

/** The task the calling code runs in (across awaits, timers and nested calls), or undefined. */
export function currentTask(): TaskHandle | undefined {
  return activeTask();
}
