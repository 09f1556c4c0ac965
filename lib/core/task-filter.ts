import type { Task } from "./task";
import { optionChecker, type Checker } from "../schema/validation";

/**
 * Selects tasks: a name, a status (each one value or any of several) and attributes (every one
 * must match; values compared as text, so `{ attrs: { port: "80" } }` matches the number 80).
 * Fields left out select everything.
 */
export interface TaskFilter {
  name?: string | readonly string[] | undefined;
  /** The current status, the last entry of the history. */
  status?: string | readonly string[] | undefined;
  attrs?: Readonly<Record<string, string | readonly string[]>> | undefined;
}

const oneOrMany = { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] };

export const checkTaskFilter: Checker<TaskFilter> = optionChecker<TaskFilter>(
  {
    type: "object",
    additionalProperties: false,
    properties: { name: oneOrMany, status: oneOrMany, attrs: { type: "object", additionalProperties: oneOrMany } },
  },
  "filter field",
);

/** Whether the filter selects anything less than every task. */
export function isEmptyFilter(filter: TaskFilter): boolean {
  return filter.name === undefined && filter.status === undefined && Object.keys(filter.attrs ?? {}).length === 0;
}

/** An attribute of a task as the filter compares it; undefined when the task has no such attribute. */
export type AttrText = (task: Task, key: string) => string | undefined;

/**
 * Compiles a (valid) filter once into a test run per task. `textOf` lets the HTTP layer compare
 * attributes exactly as its list shows them (and cache that text).
 */
export function taskMatcher(filter: TaskFilter, textOf: AttrText = attrText): (task: Task) => boolean {
  const names = asSet(filter.name);
  const statuses = asSet(filter.status);
  const attrs = Object.entries(filter.attrs ?? {}).map(([key, values]) => [key, asSet(values)!] as const);
  return (task) =>
    (names === undefined || names.has(task.name)) &&
    (statuses === undefined || statuses.has(task.history.lastStatus)) &&
    attrs.every(([key, values]) => {
      const text = textOf(task, key);
      return text !== undefined && values.has(text);
    });
}

function asSet(value: string | readonly string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  return new Set(typeof value === "string" ? [value] : value);
}

/** A string as it is, anything else as JSON; a value that cannot be shown matches nothing. */
function attrText(task: Task, key: string): string | undefined {
  if (!Object.hasOwn(task.attrs, key)) return undefined;
  const value = task.attrs[key];
  try {
    return typeof value === "string" ? value : value !== null && typeof value === "object" ? (JSON.stringify(value) ?? "") : String(value);
  } catch {
    return undefined;
  }
}
