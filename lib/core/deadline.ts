import { now } from "./clock";
import type { Task } from "./task";

/** Who a deadline's kill is recorded as (`killedBy`). */
export const DEADLINE_KILLER = "deadline";

/** The kill message of a deadline. */
export function deadlineMessage(ms: number): string {
  return `deadline exceeded after ${ms} ms`;
}

/**
 * Gives a task the earlier of its own deadline (`timeoutMs` from its start) and its parent's, and
 * one timer that kills it then. Called only for tasks that have one, so tasks without a deadline
 * pay nothing; the manager clears the timer when the task ends.
 */
export function armDeadline(task: Task, timeoutMs: number | undefined, parent: Task | undefined): void {
  let at = timeoutMs === undefined ? Infinity : task.startTime + timeoutMs;
  let ms = timeoutMs ?? 0;
  let source = task;
  const inherited = parent?.deadline;
  if (inherited !== undefined && inherited.at < at) ({ at, ms, source } = inherited);
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (!task.forbidCancel) {
    timer = setTimeout(expire, Math.max(0, at - now()), task, ms);
    // A deadline must not keep the process alive on its own.
    timer.unref();
  }
  task.deadline = { at, ms, timer, source };
}

/**
 * Kills the task whose deadline fell due. An inherited deadline kills the ancestor that set it,
 * while it runs, so the whole tree stops from the top at once (a request answers its deadline
 * before a child's failure can); a child that outlived it is killed alone.
 */
function expire(task: Task, ms: number): void {
  if (!task.running) return;
  const source = task.deadline!.source;
  const target = source.running && !source.forbidCancel ? source : task;
  target.owner.cancel([target], deadlineMessage(ms), DEADLINE_KILLER);
}
