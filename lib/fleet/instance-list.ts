import type { ProcessManager } from "../core/manager";
import type { Task } from "../core/task";
import { checkQuery, type Query } from "../http/inputs/checks";
import type { BuildStep } from "../http/lists/build";
import { fleetProcJson } from "../http/lists/entries";
import { filterInSlices, sortInSlices } from "../http/lists/filters";
import { serverTime } from "../http/responses/respond";

/**
 * The most JSON of tasks one instance puts in its answer to a filtered list; past it the matching
 * tasks are counted in `omitted` (the answer stays well under the channel's 4 MiB bound).
 */
export const MAX_LIST_ANSWER_BYTES = 2 << 20;

/**
 * The instance's side of a filtered fleet list (`op: "list"`): the query is checked as
 * `GET /procs/?…` checks it, and the instance's live tasks are narrowed, sorted and cut by the
 * same code as its own HTTP list (`filterInSlices`, `sortInSlices`), so the fleet and one server
 * select alike. Answers `{"procs":[…],"omitted"?:n,"serverTime":…}` with the tasks as the fleet
 * stores them (`fleetProcJson`): only the matches cross Redis, never the instance's whole list.
 */
export function listOnInstance(manager: ProcessManager, query: Query, instance: string, boot?: string): string {
  checkQuery("listQuery", query);
  let tasks = run(filterInSlices([...manager.tasks()], query, true));
  const sort = typeof query.sort === "string" ? query.sort : undefined;
  if (sort !== undefined && sort !== "procTime") tasks = run(sortInSlices(tasks, sort));
  const limit = typeof query.limit === "string" ? Number(query.limit) : Infinity;
  const parts: string[] = [];
  let bytes = 0;
  let omitted = 0;
  for (const task of tasks) {
    if (parts.length >= limit) break;
    const json = fleetProcJson(task, instance, boot);
    bytes += Buffer.byteLength(json) + 1;
    if (bytes > MAX_LIST_ANSWER_BYTES) {
      omitted = Math.min(tasks.length, limit) - parts.length;
      break;
    }
    parts.push(json);
  }
  return `{"procs":[${parts.join(",")}]${omitted > 0 ? `,"omitted":${omitted}` : ""},"serverTime":"${serverTime()}"}`;
}

/** A paced build run to its end at once: one instance's list is a few thousand tasks, built where they live. */
function run(step: BuildStep<Task[]>): Task[] {
  for (;;) {
    const done = step();
    if (done !== undefined) return done;
  }
}
