import { AsyncLocalStorage, executionAsyncId } from "node:async_hooks";
import { now } from "./clock";
import { syncWatch } from "./sync-watch";
import type { Task } from "./task";
import type { TaskHandle } from "./task-handle";

/**
 * The process's only AsyncLocalStorage for proclist: the first one turns on promise hooks that
 * make every `await` in the process dearer, so there must never be a second.
 */
export const taskContext = new AsyncLocalStorage<Task>();

/**
 * The task most recently entered (`enter`) by a frame still on the stack, and the async id it was
 * entered under. While that frame runs synchronously and no other async scope was entered inside
 * it (an `AsyncResource.bind` callback, say, which changes the async id), the current task is this
 * one: reading two fields instead of `getStore()` (~25 ns each, and a tracked call makes several).
 * Continuations after an await run on an empty stack, with every such frame gone (each restored
 * what it found, see `leave`), and ask the storage: on Node 24+ the async id does not change
 * between promise continuations, so a frame's values must never outlive it.
 *
 * `enteredAt` is when the task was entered less the block time blamed by then (`syncWatch.blamedMs`):
 * at `leave`, the time since less what was blamed since, in one subtraction, is the call's own time.
 */
export const frame = { task: undefined as Task | undefined, asyncId: -1, enteredAt: NaN };

/** The task the calling code runs in, for proclist's own hot paths. */
export function activeTask(): Task | undefined {
  return frame.task !== undefined && executionAsyncId() === frame.asyncId ? frame.task : taskContext.getStore();
}

/**
 * Makes `task` the current task of the calling code: in the storage, and as `frame`'s task. The
 * caller saves `frame`'s two fields and the current task (`activeTask()`) first, and gives them
 * back to `leave` in a `finally`. The two are calls of their own rather than a function wrapping
 * the task's code, so that they are off the stack while that code runs: each level of a tracked
 * recursion costs the method's frame and the wrapper's, no more (Node 24: ~3,200 levels of tracked
 * recursion before a stack overflow, ~9,600 untracked; through a wrapping function and `run` it
 * was ~1,000).
 *
 * `enterWith` there and back is what `AsyncLocalStorage.run` does on every runtime, without its
 * frame: with async hooks (Node 20 and 22) it writes the store on the current async resource and
 * back (~25 ns); with AsyncContextFrame (Node 24+) it builds a frame on entry and another on exit
 * (~480 ns, the larger part of a tracked call there).
 *
 * Not `new AsyncResource().runInAsyncScope()`, although it measured cheaper on Node 24+: Node
 * pushes the resource's id on its async id stack and pops it in a `finally`, and a stack overflow
 * inside tracked recursion can strike that `finally` — the pop is skipped and Node aborts the
 * whole process ("async hook stack has become corrupted", seen on Node 26). A skipped `leave` only
 * leaves the wrong task current until a frame further up leaves in turn, or repairs it (see
 * tracked.ts).
 */
export function enter(task: Task): void {
  const at = now();
  frame.task = task;
  frame.asyncId = executionAsyncId();
  taskContext.enterWith(task);
  if (syncWatch.mark !== undefined) syncWatch.mark(task);
  // Read after `mark`, which may have blamed the caller's code up to here: that is not this call's.
  frame.enteredAt = at - syncWatch.blamedMs;
}

/**
 * Undoes `enter`: `outer` current again, `frame` as it was found. The task entered held the event
 * loop from `enter` to here: that time, less the blocks blamed inside it meanwhile (tracked calls
 * it made, each blamed for its own), is its own; past its manager's `blockThresholdMs` that is a
 * block, blamed on it (see sync-watch.ts). One clock read per call is what the blame costs.
 */
export function leave(outer: Task | undefined, frameTask: Task | undefined, frameAsyncId: number, frameEnteredAt: number): void {
  const inner = frame.task;
  const enteredAt = frame.enteredAt;
  frame.task = frameTask;
  frame.asyncId = frameAsyncId;
  frame.enteredAt = frameEnteredAt;
  taskContext.enterWith(outer!);
  if (syncWatch.mark !== undefined) syncWatch.mark(outer);
  if (inner !== undefined) {
    const left = now();
    const own = left - syncWatch.blamedMs - enteredAt;
    if (own >= inner.owner.blockThresholdMs) syncWatch.held(inner, own, left);
  }
}

/** Calls `fn` with `thisArg` and `args` inside the task's async context (and the contexts its manager's extensions keep). */
export function runInContext<R>(
  task: Task,
  fn: (...args: any[]) => R,
  thisArg: unknown,
  args: ArrayLike<unknown>,
  withExtensions = true,
): R {
  // An extension's `enter` gets a function that comes back here past this line.
  if (withExtensions && task.owner.hooks?.enter !== undefined)
    return task.owner.hooks.enter(task, () => runInContext(task, fn, thisArg, args, false));
  const outer = activeTask();
  const { task: frameTask, asyncId: frameAsyncId, enteredAt: frameEnteredAt } = frame;
  enter(task);
  try {
    return Reflect.apply(fn, thisArg, args);
  } finally {
    leave(outer, frameTask, frameAsyncId, frameEnteredAt);
  }
}

/** The task the calling code runs in (across awaits, timers and nested calls), or undefined. */
export function currentTask(): TaskHandle | undefined {
  return activeTask();
}
