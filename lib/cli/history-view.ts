import { HttpStatusError } from "../client/errors";
import { formatTime } from "../client/time";
import { TaskNotFoundError } from "../core/errors";
import type { RemoteHistory, RemoteTask } from "../client/types";
import { taskLink } from "../web/task-link";
import type { Target } from "./target";
import { formatClock, formatDate, formatDuration, formatValue, formatWhen } from "./format";
import { renderTable } from "./table";

/** A timeline found at one endpoint, and whether the task still runs (unknown on the original Go server). */
export interface Found {
  target: Target;
  history: RemoteHistory;
  task: RemoteTask | undefined;
}

/** The JSON `proclist history --json` prints for one endpoint's answer. */
export function historyJson(id: string, f: Found): object {
  return {
    endpoint: f.target.endpoint.label,
    id,
    running: f.task?.running ?? true,
    dropped: f.history.dropped,
    ...traceOf(f),
    history: entries(f).map((e) => ({ ts: formatTime(e.ts), status: e.status, ms: e.ms })),
    ...((f.task?.running ?? true) && f.task?.proc.waits !== undefined
      ? { waitingOn: f.task.proc.waits.map((w) => ({ kind: w.kind, target: w.target, since: formatTime(w.since) })) }
      : {}),
    ...(f.history.waits === undefined ? {} : { waits: f.history.waits.map((w) => ({ ...w, since: formatTime(w.since) })) }),
  };
}

/** Each entry with the time spent in it; the last one of a running task counts up to the server's now. */
export function entries(found: Found): { ts: number; status: string; ms: number | null }[] {
  const list = found.history.history;
  const running = found.task?.running ?? true;
  return list.map((entry, i) => {
    // Past the bound, the entries between the first and the kept newest are gone: the first one's length is unknown.
    if (i === 0 && found.history.dropped > 0 && list.length > 1) return { ts: entry.ts, status: entry.status, ms: null };
    const next = list[i + 1]?.ts ?? (running ? found.history.serverTime : undefined);
    return { ts: entry.ts, status: entry.status, ms: next === undefined ? null : Math.round((next - entry.ts) * 1000) / 1000 };
  });
}

/**
 * A task's timeline as lines: a title, the trace when known, one row per status with the time
 * spent in it, and the web page's link to the task when the endpoint is a proclist server's URL.
 * Times carry the date when the task did not start today (`now`, local time).
 */
export function renderHistory(id: string, found: Found, now = Date.now()): string[] {
  const list = entries(found);
  const first = list[0].ts;
  const proc = found.task?.proc;
  const running = found.task?.running ?? true;
  const total = running ? found.history.serverTime - first : list[list.length - 1].ts - first;
  const name = proc?.name === undefined ? "" : ` (${formatValue(proc.name)})`;
  const state = running ? `running for ${formatDuration(total)}` : `finished after ${formatDuration(total)}`;
  const title = `task ${formatValue(id)}${name} on ${found.target.endpoint.label}: ${state}`;
  const today = formatDate(first) === formatDate(now);
  const rows = list.map((e, i) => [
    `+${formatDuration(e.ts - first)}`,
    today ? formatClock(e.ts) : `${formatDate(e.ts)} ${formatClock(e.ts)}`,
    e.ms === null ? "" : i === list.length - 1 && running ? `${formatDuration(e.ms)} so far` : formatDuration(e.ms),
    formatValue(e.status),
  ]);
  if (found.history.dropped > 0)
    rows.splice(1, 0, ["", "", "", `… ${formatValue(found.history.dropped)} older entries dropped by the server's bound`]);
  const trace = traceOf(found);
  const link = trace.traceUrl === undefined && trace.traceId === undefined ? undefined : formatValue(trace.traceUrl ?? trace.traceId);
  const page = pageLink(id, found);
  const clock = (ms: number) => formatWhen(ms, now);
  // What it waits on now, and the waits it finished that lasted (the server keeps those of waitHistoryMs or more).
  const waiting = running
    ? (proc?.waits ?? []).map(
        (w) =>
          `waiting on: ${formatValue(w.kind)} ${formatValue(w.target)} since ${clock(w.since)} (${formatDuration(found.history.serverTime - w.since)} so far)`,
      )
    : [];
  const waited = (found.history.waits ?? []).map(
    (w) =>
      `waited on: ${formatValue(w.kind)} ${formatValue(w.target)} at ${clock(w.since)} for ${formatDuration(w.durationMs)} (${w.outcome})`,
  );
  return [
    title,
    ...(link === undefined ? [] : [`trace: ${link}`]),
    ...renderTable(["AT", "TIME", "TOOK", "STATUS"], rows),
    ...waited,
    ...waiting,
    ...(page === undefined ? [] : [`open: ${page}`]),
  ];
}

/**
 * The web page's link to the task: known when the endpoint is an http(s) URL and answered as a
 * proclist server (`GET /procs/:id`), which serves the page at the API's root.
 */
function pageLink(id: string, found: Found): string | undefined {
  const { url } = found.target.endpoint;
  if (found.task === undefined || !/^https?:\/\//.test(url)) return undefined;
  return taskLink(url, id);
}

/** The task's trace id, and the link to it when the server has a `traceUrl` template. */
export function traceOf(found: Found): { traceId?: string; traceUrl?: string } {
  const out: { traceId?: string; traceUrl?: string } = {};
  const traceId = found.task?.proc.traceId;
  if (traceId !== undefined) out.traceId = traceId;
  if (found.history.traceUrl !== undefined) out.traceUrl = found.history.traceUrl;
  return out;
}

/** The original Go server has no `GET /procs/:id`: then whether the task runs is unknown, and only live tasks have a history there. */
export function unlessOriginal(error: unknown): undefined {
  if (error instanceof HttpStatusError && (error.status === 404 || error.status === 405)) return undefined;
  if (error instanceof TaskNotFoundError) return undefined; // ended between the two requests
  throw error;
}
