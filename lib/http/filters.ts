import type { Task } from "../core/task";
import { taskMatcher, type TaskFilter } from "../core/task-filter";
import { attrText } from "./attr-text";
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
  if (typeof query.sort === "string") out.sort(comparator(query.sort));
  if (typeof query.limit === "string") out.length = Math.min(out.length, Number(query.limit));
  return out;
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

function comparator(sort: string): (a: Task, b: Task) => number {
  const descending = sort.startsWith("-");
  const key = keys[descending ? sort.slice(1) : sort];
  const sign = descending ? -1 : 1;
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -sign : x > y ? sign : 0;
  };
}
