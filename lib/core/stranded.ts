import type { Task } from "./task";

/**
 * Tasks whose frame could not record their end: a stack overflow unwinds through frames that have
 * no room left to call a function. Such a frame only pushes its task here (a builtin, no JS frame),
 * and the next call that ends a task, with room again, ends them too, as aborted by that error.
 * Read `stranded.tasks.length` inline: on the hot path it is one load, not a call.
 */
export const stranded = { tasks: [] as Task[], error: undefined as unknown };

/**
 * Ends every stranded task, deepest first. A task leaves the list only once ended, so a drain cut
 * short itself (called with little room) loses nothing. Never throws.
 */
export function drainStranded(): void {
  const { tasks, error } = stranded;
  try {
    while (tasks.length !== 0) {
      const task = tasks[0];
      task.owner.end(task, task.owner.outcomeOf(task, error), error);
      tasks.shift();
    }
    stranded.error = undefined;
  } catch {
    // no room yet: the next end of a task drains the rest
  }
}
