import type { RemoteProc, RemoteProcList, RemoteWait } from "../client/types";
import { formatDuration, formatStatus, formatValue, truncate } from "./format";

/** One live task of one endpoint, with ages measured on the server's clock (no trust in ours). */
export interface Row {
  endpoint: string;
  proc: RemoteProc;
  ageMs: number;
  statusAgeMs: number;
  /** How long the task has waited on its oldest open operation (server clock); undefined when it waits on nothing. */
  waitAgeMs?: number;
  /** While a CPU profile runs on its endpoint: the share (0–1) of the profile's time so far its code was current. */
  cpuShare?: number;
  /** How long (server clock) a forced kill has found it ignoring its cancel; undefined when it was not. */
  ignoringMs?: number;
  /** Set when the endpoint is down: when (local epoch ms) it last answered, so the row is as of then. */
  asOf?: number;
}

/**
 * Rows of one endpoint's answer. `sinceMs` is how long ago (on our monotonic clock) the answer
 * arrived: added to every age, it puts the answers of several endpoints, which arrive at
 * different moments, on one instant, so that merged rows sort by true age.
 */
export function rowsOf(endpoint: string, list: RemoteProcList, sinceMs = 0): Row[] {
  return list.procs.map((proc) => {
    const row: Row = {
      endpoint,
      proc,
      ageMs: list.serverTime - proc.procTime + sinceMs,
      statusAgeMs: list.serverTime - proc.statusTime + sinceMs,
    };
    const oldest = oldestWait(proc);
    if (oldest !== undefined) row.waitAgeMs = list.serverTime - oldest.since + sinceMs;
    if (proc.ignoringCancelSince !== undefined) row.ignoringMs = list.serverTime - proc.ignoringCancelSince + sinceMs;
    return row;
  });
}

/** The task's longest open wait (the server lists them oldest first; checked here for any server). */
function oldestWait(proc: RemoteProc): RemoteWait | undefined {
  let oldest: RemoteWait | undefined;
  for (const wait of proc.waits ?? []) if (oldest === undefined || wait.since < oldest.since) oldest = wait;
  return oldest;
}

/**
 * What a task waits on, as the WAITING ON column shows it: its longest wait and for how long
 * (`fetch GET payments:443/charge · 38.2s`), and how many more it has; "" when none.
 */
export function waitCell(row: Row): string {
  const oldest = oldestWait(row.proc);
  if (oldest === undefined || row.waitAgeMs === undefined) return "";
  const more = row.proc.waits!.length - 1;
  return `${formatValue(oldest.kind)} ${formatValue(oldest.target)} · ${formatDuration(row.waitAgeMs)}${more > 0 ? ` (+${more})` : ""}`;
}

/** The orders `top` cycles through with `s`; `ls` uses the first. */
export const SORTS = ["age", "status age", "id", "name", "status", "endpoint", "waiting", "cpu"] as const;
export type SortKey = (typeof SORTS)[number];

const byText = (f: (r: Row) => string) => (a: Row, b: Row) => f(a).localeCompare(f(b));
const COMPARE: Record<SortKey, (a: Row, b: Row) => number> = {
  // Oldest first, as the original's monitor: a stuck task rises to the top and stays there.
  age: (a, b) => b.ageMs - a.ageMs,
  "status age": (a, b) => b.statusAgeMs - a.statusAgeMs,
  // The longest wait first; tasks waiting on nothing after all that wait.
  waiting: (a, b) => (b.waitAgeMs ?? -1) - (a.waitAgeMs ?? -1),
  // The busiest first while a profile runs; tasks of endpoints not profiling after all that are.
  cpu: (a, b) => (b.cpuShare ?? -1) - (a.cpuShare ?? -1),
  id: byText((r) => r.proc.id),
  name: byText((r) => r.proc.name ?? ""),
  status: byText((r) => r.proc.status),
  endpoint: byText((r) => r.endpoint),
};

/** Sorts by the key, then oldest first, then endpoint and id, so equal keys keep a stable order between refreshes. */
export function sortRows(rows: Row[], key: SortKey): Row[] {
  const tie = (a: Row, b: Row) => COMPARE.age(a, b) || COMPARE.endpoint(a, b) || COMPARE.id(a, b);
  return [...rows].sort((a, b) => COMPARE[key](a, b) || tie(a, b));
}

/** Attribute names over all rows, in the order they first appear: each becomes a column. */
export function attrNames(rows: Row[]): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row.proc.attrs)) names.add(key);
  return [...names];
}

/**
 * Header and cells of the task table shared by `ls` and `top`. Values longer than `maxValue` are
 * cut. `top` passes the columns found over all rows and asks for the cells of the visible ones only.
 */
export function taskTable(
  rows: Row[],
  maxValue = 40,
  columns = {
    attrs: attrNames(rows),
    named: rows.some((r) => r.proc.name !== undefined),
    waiting: rows.some((r) => r.waitAgeMs !== undefined),
  },
  where = "ENDPOINT",
): { head: string[]; cells: string[][] } {
  const { attrs, named, waiting } = columns;
  const head = [
    where,
    "ID",
    ...(named ? ["NAME"] : []),
    "AGE",
    "STATUS",
    "IN STATUS",
    ...(waiting ? ["WAITING ON"] : []),
    ...attrs.map((a) => formatValue(a.toUpperCase())),
  ];
  const cells = rows.map((r) => [
    formatValue(r.endpoint),
    truncate(formatValue(r.proc.id), maxValue),
    ...(named ? [truncate(formatValue(r.proc.name ?? ""), maxValue)] : []),
    formatDuration(r.ageMs),
    truncate(formatStatus(r.proc.status, r.proc.cancelling, r.ignoringMs ?? false), maxValue),
    formatDuration(r.statusAgeMs),
    ...(waiting ? [truncate(waitCell(r), Math.max(maxValue, 60))] : []),
    ...attrs.map((a) => (Object.hasOwn(r.proc.attrs, a) ? truncate(formatValue(r.proc.attrs[a]), maxValue) : "")),
  ]);
  return { head, cells };
}
