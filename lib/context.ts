import { AsyncLocalStorage } from "node:async_hooks";
import type { Task } from "./task";
import type { TaskHandle } from "./task-handle";

/**
 * The process's only AsyncLocalStorage for proclist: the first one turns on promise hooks that
 * make every `await` in the process dearer, so there must never be a second.
 */
export const taskContext = new AsyncLocalStorage<Task>();

/** The task the calling code runs in (across awaits, timers and nested calls), or undefined. */
export function currentTask(): TaskHandle | undefined {
  return taskContext.getStore();
}
