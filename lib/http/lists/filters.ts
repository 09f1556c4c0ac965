import type { Task } from "../../core/task";
import { taskMatcher, type TaskFilter } from "../../core/task-filter";
import { attrText } from "./attrs";
import type { Query } from "../inputs/checks";
import type { BuildStep } from "./build";

/** Tasks tested per event-loop turn. */
const FILTER_SLICE = 2048;

/**
 * The server-side filters of the list routes, so a list of 10,000 tasks can be narrowed where it
 * lives: `name` and `status` (repeat for "any of"), `attr.<key>=<value>` (all must match, compared
 * with the value as the list shows it), `outcome` for finished tasks. Runs a slice per call (see
 * `PacedBuild`) over `tasks`, already in the order wanted; `live` leaves out tasks that ended since.
 * The query was validated before this runs; `sort` and `limit` are applied elsewhere.
 */
export function filterInSlices(tasks: readonly Task[], query: Query, live: boolean): BuildStep<Task[]> {
  const matches = taskMatcher(queryFilter(query), attrText);
  const outcomes = asSet(query.outcome);
  const kinds = asSet(query.waiting);
  const out: Task[] = [];
  let i = 0;
  return () => {
    for (const end = Math.min(tasks.length, i + FILTER_SLICE); i < end; i++) {
      const task = tasks[i];
      if (live && !task.running) continue;
      if (!matches(task)) continue;
      if (outcomes !== undefined && (task.outcome === undefined || !outcomes.has(task.outcome))) continue;
      if (kinds !== undefined && !waitsOnAny(task, kinds)) continue;
      out.push(task);
    }
    return i < tasks.length ? undefined : out;
  };
}

/** The core's filter named by a (validated) query: `name`, `status`, `attr.<key>`. */
export function queryFilter(query: Query): TaskFilter {
  const attrs: Record<string, string | string[]> = {};
  for (const key of Object.keys(query)) {
    if (key.startsWith("attr.")) attrs[key.slice(5)] = query[key]!;
  }
  return { name: query.name, status: query.status, attrs };
}

/** Whether the task waits now on an operation of one of `kinds` (`*`: of any kind). */
function waitsOnAny(task: Task, kinds: ReadonlySet<string>): boolean {
  const waits = task.waits;
  if (waits === undefined) return false;
  if (kinds.has("*")) return true;
  for (const wait of waits) if (kinds.has(wait.kind)) return true;
  return false;
}

function asSet(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  return new Set(typeof value === "string" ? [value] : value);
}

/** The fields `sort=` orders by. */
const keys: Record<string, (task: Task) => number | string> = {
  procTime: (t) => t.history.firstTime,
  statusTime: (t) => t.history.lastTime,
  id: (t) => t.id,
  name: (t) => t.name,
  status: (t) => t.history.lastStatus,
  // The oldest wait's start (waits are kept oldest first); a task waiting on nothing sorts last.
  waiting: (t) => (t.waits === undefined ? Infinity : t.waits[0].since),
};

/** Tasks sorted at once before the sorted runs are merged, and elements handled per slice. */
const SORT_RUN = 1024;
const SORT_SLICE = 4096;

/**
 * The tasks sorted by a field (`sort`, `-` for descending), ties in list order (`position`, by
 * default the order given), a slice per call (see `PacedBuild`): each task's key is read once,
 * runs of SORT_RUN are sorted, then merged pass by pass, so 10,000 tasks never hold the event loop
 * for a whole sort. Given the previous order, each run is nearly sorted already.
 */
export function sortInSlices(tasks: readonly Task[], sort: string, position?: ReadonlyMap<Task, number>): BuildStep<Task[]> {
  const n = tasks.length;
  const descending = sort.startsWith("-");
  const key = keys[descending ? sort.slice(1) : sort];
  const sign = descending ? -1 : 1;
  const values: (number | string)[] = new Array(n);
  const ranks: number[] = new Array(n);
  let order: number[] = Array.from({ length: n }, (_, i) => i);
  let spare: number[] = new Array(n);
  const before = (a: number, b: number): number => {
    const x = values[a];
    const y = values[b];
    return x < y ? -sign : x > y ? sign : ranks[a] - ranks[b];
  };
  let phase: "keys" | "runs" | "merge" = "keys";
  let at = 0;
  let width = SORT_RUN;
  return () => {
    for (let budget = SORT_SLICE; budget > 0; ) {
      if (phase === "keys") {
        const end = Math.min(n, at + budget);
        for (; at < end; at++) {
          values[at] = key(tasks[at]);
          ranks[at] = position === undefined ? at : position.get(tasks[at])!;
        }
        budget = 0;
        if (at === n) [phase, at] = ["runs", 0];
      } else if (phase === "runs") {
        const end = Math.min(n, at + SORT_RUN);
        const run = order.slice(at, end).sort(before);
        for (let i = at; i < end; i++) order[i] = run[i - at];
        budget -= 4 * (end - at);
        at = end;
        if (at >= n) [phase, at] = ["merge", 0];
      } else {
        if (width >= n) return order.map((i) => tasks[i]);
        const mid = Math.min(at + width, n);
        const end = Math.min(at + 2 * width, n);
        let [i, j, k] = [at, mid, at];
        while (i < mid && j < end) spare[k++] = before(order[j], order[i]) < 0 ? order[j++] : order[i++];
        while (i < mid) spare[k++] = order[i++];
        while (j < end) spare[k++] = order[j++];
        budget -= end - at;
        at = end;
        if (at >= n) [order, spare, width, at] = [spare, order, width * 2, 0];
      }
    }
    return undefined;
  };
}
