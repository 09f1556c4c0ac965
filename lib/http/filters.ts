import type { Task } from "../core/task";
import { taskMatcher, type TaskFilter } from "../core/task-filter";
import { attrText } from "./task-attrs";
import type { Query } from "./inputs";

/**
 * The server-side filters of the list routes, so a list of 10,000 tasks can be narrowed where it
 * lives: `name` and `status` (repeat for "any of"), `attr.<key>=<value>` (all must match, compared
 * with the value as the list shows it), `outcome` for finished tasks, `sort` by a field (`-` for descending), `limit`.
 * The query was validated before this runs.
 */
export function filterTasks(tasks: Iterable<Task>, query: Query): Task[] {
  const matches = taskMatcher(queryFilter(query), attrText);
  const outcomes = asSet(query.outcome);
  const out: Task[] = [];
  for (const task of tasks) {
    if (!matches(task)) continue;
    if (outcomes !== undefined && (task.outcome === undefined || !outcomes.has(task.outcome))) continue;
    out.push(task);
  }
  const sorted = typeof query.sort === "string" ? sortBy(out, query.sort) : out;
  if (typeof query.limit === "string") sorted.length = Math.min(sorted.length, Number(query.limit));
  return sorted;
}

/** The core's filter named by a (validated) query: `name`, `status`, `attr.<key>`. */
export function queryFilter(query: Query): TaskFilter {
  const attrs: Record<string, string | string[]> = {};
  for (const key of Object.keys(query)) {
    if (key.startsWith("attr.")) attrs[key.slice(5)] = query[key]!;
  }
  return { name: query.name, status: query.status, attrs };
}

function asSet(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  return new Set(typeof value === "string" ? [value] : value);
}

const keys: Record<string, (task: Task) => number | string> = {
  procTime: (t) => t.history.firstTime,
  statusTime: (t) => t.history.lastTime,
  id: (t) => t.id,
  name: (t) => t.name,
  status: (t) => t.history.lastStatus,
};

/**
 * The tasks sorted by a field (`-` for descending), ties in list order. Each task's key is read
 * once, not once per comparison: the keys are getters over the history.
 */
function sortBy(tasks: Task[], sort: string): Task[] {
  const descending = sort.startsWith("-");
  const key = keys[descending ? sort.slice(1) : sort];
  const values = tasks.map(key);
  const order = tasks.map((_, i) => i);
  const sign = descending ? -1 : 1;
  order.sort((a, b) => {
    const x = values[a];
    const y = values[b];
    return x < y ? -sign : x > y ? sign : a - b;
  });
  return order.map((i) => tasks[i]);
}
