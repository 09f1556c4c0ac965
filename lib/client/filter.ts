import type { TaskFilter, RemoteProc } from "./types";

/** The filter as the query string of `GET /procs/` (`?name=…&status=…&attr.host=…`), "" when empty. */
export function toQuery(filter: TaskFilter): string {
  const query = new URLSearchParams();
  if (filter.name !== undefined) query.set("name", filter.name);
  if (filter.status !== undefined) query.set("status", filter.status);
  for (const [key, value] of Object.entries(filter.attrs ?? {})) query.set(`attr.${key}`, value);
  if (filter.waiting !== undefined) query.set("waiting", filter.waiting);
  const text = query.toString();
  return text === "" ? "" : `?${text}`;
}

/** Whether a task passes the filter; applied locally too, as servers that predate filters ignore the query. */
export function matches(proc: RemoteProc, filter: TaskFilter): boolean {
  if (filter.name !== undefined && proc.name !== filter.name) return false;
  if (filter.status !== undefined && proc.status !== filter.status) return false;
  for (const [key, wanted] of Object.entries(filter.attrs ?? {})) {
    if (!Object.hasOwn(proc.attrs, key) || attrText(proc.attrs[key]) !== wanted) return false;
  }
  if (filter.waiting !== undefined && !(proc.waits ?? []).some((wait) => filter.waiting === "*" || wait.kind === filter.waiting))
    return false;
  return true;
}

/** The text an attribute value is compared with: strings as they are, anything else as JSON. */
export function attrText(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
}
