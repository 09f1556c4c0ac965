import { AsyncLocalStorage, AsyncResource, executionAsyncId, executionAsyncResource } from "node:async_hooks";
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

type Enter = <R>(task: Task, fn: (...args: any[]) => R, thisArg: unknown, args: ArrayLike<unknown>) => R;

/**
 * How a task's context is entered, chosen on the first task by how this runtime keeps async context.
 *
 * With async hooks (Node 20 and 22), `run` writes the store on the current async resource and
 * back: ~25 ns. With AsyncContextFrame (Node 24+), `run` builds a frame on entry and another on
 * exit, each a copy of the current frame's Map (~200–400 ns apiece), so instead an AsyncResource
 * remembers the caller's frame and restores it by reference, and only the task's own frame is
 * built (`enterWith`): one copy, plus ~20 ns for the resource. Both give the callee and everything
 * it schedules the task's context, and give the caller back its own.
 */
let enter: Enter = (task, fn, thisArg, args) => {
  enter = keepsStoresOnResources() ? enterWithRun : enterWithResource;
  return enter(task, fn, thisArg, args);
};

function enterWithRun<R>(task: Task, fn: (...args: any[]) => R, thisArg: unknown, args: ArrayLike<unknown>): R {
  frameTask = task;
  frameAsyncId = executionAsyncId();
  return taskContext.run(task, Reflect.apply, fn, thisArg, args) as R;
}

function enterWithResource<R>(task: Task, fn: (...args: any[]) => R, thisArg: unknown, args: ArrayLike<unknown>): R {
  return new AsyncResource(RESOURCE_TYPE).runInAsyncScope(enterTaskFrame, undefined, task, fn, thisArg, args) as R;
}

const RESOURCE_TYPE = "proclist";

function enterTaskFrame<R>(task: Task, fn: (...args: any[]) => R, thisArg: unknown, args: ArrayLike<unknown>): R {
  taskContext.enterWith(task);
  frameTask = task;
  frameAsyncId = executionAsyncId();
  return Reflect.apply(fn, thisArg, args);
}

/** Whether the storage keeps its store on the current async resource (async hooks), not in a frame. */
function keepsStoresOnResources(): boolean {
  const probe = {} as Task;
  return taskContext.run(probe, () => {
    const resource = executionAsyncResource() as Record<symbol, unknown>;
    return Object.getOwnPropertySymbols(resource).some((key) => resource[key] === probe);
  });
}

/** The task the calling code runs in (across awaits, timers and nested calls), or undefined. */
export function currentTask(): TaskHandle | undefined {
  return activeTask();
}
