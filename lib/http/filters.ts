import type { Task } from "../core/task";
import { attrText } from "./attr-text";
import type { Query } from "./inputs";

/**
 * The server-side filters of the list routes, so a list of 10,000 tasks can be narrowed where it
 * lives: `name` and `status` (repeat for "any of"), `attr.<key>=<value>` (all must match, compared
 * with the value as the list shows it), `outcome` for finished tasks, `sort` by a field (`-` for descending), `limit`.
 * The query was validated before this runs.
 */
export function filterTasks(tasks: Iterable<Task>, query: Query): Task[] {
  const names = asSet(query.name);
  const statuses = asSet(query.status);
  const outcomes = asSet(query.outcome);
  const attrs: [string, Set<string>][] = [];
  for (const key of Object.keys(query)) {
    if (key.startsWith("attr.")) attrs.push([key.slice(5), asSet(query[key])!]);
  }
  const out: Task[] = [];
  for (const task of tasks) {
    if (names !== undefined && !names.has(task.name)) continue;
    if (statuses !== undefined && !statuses.has(task.history.lastStatus)) continue;
    if (outcomes !== undefined && (task.outcome === undefined || !outcomes.has(task.outcome))) continue;
    if (!attrs.every(([key, values]) => values.has(attrText(task, key) ?? NO_TEXT))) continue;
    out.push(task);
  }
  if (typeof query.sort === "string") out.sort(comparator(query.sort));
  if (typeof query.limit === "string") out.length = Math.min(out.length, Number(query.limit));
  return out;
}

function asSet(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  return new Set(typeof value === "string" ? [value] : value);
}

/** Matches no filter value: a task without the attribute. */
const NO_TEXT = "\u0000";

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
