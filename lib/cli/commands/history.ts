import type { Command } from "commander";
import { HttpStatusError } from "../../client/errors";
import { formatTime } from "../../client/time";
import type { RemoteHistory, RemoteTask } from "../../client/types";
import { TaskNotFoundError } from "../../core/errors";
import { askAll, connectFor, withConnection, type ConnectionOptions, type Target } from "../connect";
import { commandOf } from "../registry";
import { describeFailure, EXIT } from "../exit-codes";
import { formatClock, formatDuration, formatValue } from "../format";
import { renderTable } from "../table";

interface HistoryOptions extends ConnectionOptions {
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ proclist history req-42
  $ proclist history req-42 -e api1:8081,api2:8081   # asks both; prints where it is found
  $ proclist history req-42 --json

Works for live tasks and, on proclist servers, for recently finished ones.
Exit codes: 0 shown, 1 no endpoint has the task, 3 not found and an endpoint unreachable.`;

/** A timeline found at one endpoint, and whether the task still runs (unknown on the original Go server). */
interface Found {
  target: Target;
  history: RemoteHistory;
  task: RemoteTask | undefined;
}

/** Adds `proclist history <id>` to the program. */
export function registerHistory(program: Command): void {
  withConnection(commandOf(program, "history").argument("<id>", "task id"))
    .option("--json", "print JSON: entries with RFC 3339 times and the ms spent in each")
    .addHelpText("after", EXAMPLES)
    .action(async (id: string, options: HistoryOptions) => {
      process.exitCode = await history(id, options);
    });
}

async function history(shownId: string, options: HistoryOptions): Promise<number> {
  const { targets, id, unknown } = await connectFor(options, shownId);
  if (unknown !== undefined) {
    process.stderr.write(`proclist: no such task: ${JSON.stringify(shownId)}: ${unknown}\n`);
    return EXIT.NOT_FOUND;
  }
  const answers = await askAll(targets, async (client): Promise<Omit<Found, "target">> => {
    const [timeline, task] = await Promise.all([client.history(id), client.task(id).catch(unlessOriginal)]);
    return { history: timeline, task };
  });
  const found: Found[] = [];
  let unreachable = false;
  for (const answer of answers) {
    if (answer.ok) found.push({ target: answer.target, ...answer.value });
    else if (!(answer.error instanceof TaskNotFoundError)) {
      unreachable = true;
      process.stderr.write(`proclist: ${describeFailure(answer.target.endpoint.label, answer.error)}\n`);
    }
  }
  if (found.length === 0) {
    // Only endpoints that answered 404 can say the task is not there.
    const answered = answers.length - answers.filter((a) => !a.ok && !(a.error instanceof TaskNotFoundError)).length;
    const where = unreachable ? " on the endpoints that answered" : answers.length > 1 ? ` on any of ${answers.length} endpoints` : "";
    if (answered > 0) process.stderr.write(`proclist: no such task: ${JSON.stringify(shownId)}${where}\n`);
    return unreachable ? EXIT.UNREACHABLE : EXIT.NOT_FOUND;
  }
  if (options.json === true) {
    const out = found.map((f) => ({ endpoint: f.target.endpoint.label, id: shownId, running: f.task?.running ?? true, dropped: f.history.dropped, ...traceOf(f), history: entries(f).map((e) => ({ ts: formatTime(e.ts), status: e.status, ms: e.ms })) }));
    process.stdout.write(JSON.stringify(found.length === 1 ? out[0] : out, null, 2) + "\n");
  } else {
    process.stdout.write(found.map((f) => render(id, f).join("\n")).join("\n\n") + "\n");
  }
  return unreachable ? EXIT.UNREACHABLE : EXIT.OK;
}

/** The original Go server has no `GET /procs/:id`: then whether the task runs is unknown, and only live tasks have a history there. */
function unlessOriginal(error: unknown): undefined {
  if (error instanceof HttpStatusError && (error.status === 404 || error.status === 405)) return undefined;
  if (error instanceof TaskNotFoundError) return undefined; // ended between the two requests
  throw error;
}

/** Each entry with the time spent in it; the last one of a running task counts up to the server's now. */
function entries(found: Found): { ts: number; status: string; ms: number | null }[] {
  const list = found.history.history;
  const running = found.task?.running ?? true;
  return list.map((entry, i) => {
    // Past the bound, the entries between the first and the kept newest are gone: the first one's length is unknown.
    if (i === 0 && found.history.dropped > 0 && list.length > 1) return { ts: entry.ts, status: entry.status, ms: null };
    const next = list[i + 1]?.ts ?? (running ? found.history.serverTime : undefined);
    return { ts: entry.ts, status: entry.status, ms: next === undefined ? null : Math.round((next - entry.ts) * 1000) / 1000 };
  });
}

function render(id: string, found: Found): string[] {
  const list = entries(found);
  const first = list[0].ts;
  const proc = found.task?.proc;
  const running = found.task?.running ?? true;
  const total = running ? found.history.serverTime - first : list[list.length - 1].ts - first;
  const name = proc?.name === undefined ? "" : ` (${proc.name})`;
  const state = running ? `running for ${formatDuration(total)}` : `finished after ${formatDuration(total)}`;
  const title = `task ${formatValue(id)}${name} on ${found.target.endpoint.label}: ${state}`;
  const rows = list.map((e, i) => [
    `+${formatDuration(e.ts - first)}`,
    formatClock(e.ts),
    e.ms === null ? "" : i === list.length - 1 && running ? `${formatDuration(e.ms)} so far` : formatDuration(e.ms),
    formatValue(e.status),
  ]);
  if (found.history.dropped > 0) rows.splice(1, 0, ["", "", "", `… ${found.history.dropped} older entries dropped by the server's bound`]);
  const trace = traceOf(found);
  const link = trace.traceUrl ?? trace.traceId;
  return [title, ...(link === undefined ? [] : [`trace: ${link}`]), ...renderTable(["AT", "TIME", "TOOK", "STATUS"], rows)];
}

/** The task's trace id, and the link to it when the server has a `traceUrl` template. */
function traceOf(found: Found): { traceId?: string; traceUrl?: string } {
  const out: { traceId?: string; traceUrl?: string } = {};
  const traceId = found.task?.proc.traceId;
  if (traceId !== undefined) out.traceId = traceId;
  if (found.history.traceUrl !== undefined) out.traceUrl = found.history.traceUrl;
  return out;
}
