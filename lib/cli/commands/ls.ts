import type { Command } from "commander";
import { formatTime } from "../../client/time";
import type { TaskFilter, RemoteProcList } from "../../client/types";
import { ageMs, askAll, connectAll, onFleet, whereOf, withConnection, type ConnectionOptions, type TaskSource } from "../connect";
import { toFilter, withFilter, type FilterOptions } from "../filter-options";
import { describeFailure, EXIT, sayAt } from "../exit-codes";
import { formatDuration, formatWhen } from "../format";
import { sortRows, rowsOf, taskTable, type Row } from "../rows";
import { renderTable } from "../table";
import { fittedTable, taskColumns } from "../task-columns";

interface LsOptions extends ConnectionOptions, FilterOptions {
  waiting?: string;
  olderThan?: number;
  json?: boolean;
  wide?: boolean;
}

const EXAMPLES = `
Examples:
  $ proclist ls                                   # tasks of 127.0.0.1:8081
  $ proclist ls -e api1:8081,api2:8081            # two servers in one table, oldest first
  $ proclist ls --status reading --attr method=GET
  $ proclist ls --waiting fetch                   # tasks waiting on a fetch now, the longest wait first
  $ proclist ls --older-than 30s                  # tasks running for 30 s or longer
  $ proclist ls --json | jq -r '.[] | select(.ageMs > 60000) | .id'
  $ proclist ls --redis redis://127.0.0.1:6379 --service orders   # every instance of a fleet

Exit codes: 0 listed (even if empty), 3 an endpoint or Redis unreachable (the others are still listed).`;

/** Defines `proclist ls` on its command, which the program made with its name and summary. */
export function registerLs(command: Command): void {
  withFilter(withConnection(command))
    .option(
      "--waiting <kind>",
      "only tasks waiting now on an operation of this kind (fetch, http, redis, mysql, or a waitOn kind; * for any), the longest wait first",
    )
    .option("--older-than <age>", "only tasks running for at least this long (30s, 500ms, 5m, 2h)", ageMs)
    .option("--json", "print a JSON array instead of a table (times RFC 3339, ages in ms)")
    .option("--wide", "do not cut long values (on a terminal, the table is otherwise fitted to its width as top's is)")
    .addHelpText("after", EXAMPLES)
    .action(async (options: LsOptions) => {
      process.exitCode = await ls(options);
    });
}

async function ls(options: LsOptions): Promise<number> {
  const filter = toFilter(options);
  if (options.waiting !== undefined) filter.waiting = options.waiting;
  const fleet = onFleet(options);
  // In a fleet, gone instances too: what a dead instance was running is the first question.
  const answers = await askAll(await connectAll(options, fleet ? "listed" : "up"), (client) => listOrLast(client, filter));
  const rows: Row[] = [];
  const now = performance.now();
  let code: number = EXIT.OK;
  for (const answer of answers) {
    if (answer.ok) {
      const { list, goneSince } = answer.value;
      const label = answer.target.endpoint.label;
      // Row by row: a spread of a long list (over ~125,000 tasks) overflows the stack.
      if (goneSince === undefined) for (const row of rowsOf(label, list, now - answer.at)) rows.push(row);
      else if (list.procs.length > 0) {
        const asOf = Date.parse(goneSince);
        for (const row of rowsOf(`${label} (gone)`, list, now - answer.at)) rows.push({ ...row, asOf });
        sayAt(
          label,
          `gone since ${formatWhen(asOf)}: its last ${list.procs.length} task${list.procs.length === 1 ? "" : "s"} shown as of then, not cancellable`,
        );
      }
    } else {
      process.stderr.write(`proclist: ${describeFailure(answer.target.endpoint.label, answer.error)}\n`);
      code = EXIT.UNREACHABLE;
    }
  }
  const { olderThan } = options;
  const old = olderThan === undefined ? rows : rows.filter((row) => row.ageMs >= olderThan);
  const sorted = sortRows(old, options.waiting === undefined ? "age" : "waiting");
  if (options.json === true) process.stdout.write(JSON.stringify(sorted.map(toJson), null, 2) + "\n");
  else if (sorted.length === 0) {
    // Those that answered are named, also beside one that did not (it said why above).
    const answered = answers.filter((a) => a.ok).map((a) => a.target.endpoint.label);
    // Named up to three; past that counted, since a fleet's forty names make a paragraph.
    const where =
      answered.length <= 3 ? answered.join(", ") : `any of the ${answered.length} ${fleet ? "instances" : "endpoints"} that answered`;
    // Those left out for their age are counted: "none" would hide that tasks run there.
    const younger = rows.length === 0 ? "" : ` (${rows.length} running for less than ${formatDuration(olderThan!)})`;
    if (answered.length > 0) process.stderr.write(`no live tasks${olderThan === undefined ? "" : ` that old`} on ${where}${younger}\n`);
  } else {
    const where = whereOf(options).toUpperCase();
    const width = process.stdout.isTTY && options.wide !== true ? process.stdout.columns : undefined;
    if (width !== undefined && width > 0) {
      // On a terminal, fitted to its width as top is (the same columns, dropped and cut alike),
      // rather than rows wrapped over several lines; a pipe gets every column whole.
      process.stdout.write(fittedTable(taskColumns(sorted, where), sorted, width).join("\n") + "\n");
    } else {
      const { head, cells } = taskTable(sorted, options.wide === true ? Infinity : 40, undefined, where);
      process.stdout.write(renderTable(head, cells).join("\n") + "\n");
    }
  }
  return code;
}

/**
 * A fleet instance's client, as far as ls needs it: the matches selected at the source, and for a
 * gone (or silent) instance its last tasks with since when.
 */
interface GoneAware {
  listed(filter: TaskFilter): Promise<{ list: RemoteProcList; goneSince?: string }>;
}

/** The live tasks of a target; for a gone fleet instance, its last tasks and since when it is gone. */
async function listOrLast(client: TaskSource, filter: TaskFilter): Promise<{ list: RemoteProcList; goneSince?: string }> {
  const instance = client as Partial<GoneAware>;
  if (instance.listed !== undefined) return instance.listed(filter);
  return { list: await client.processes(filter) };
}

/** The JSON form of a row: the wire fields, RFC 3339 times, plus where it runs and its ages. */
function toJson(row: Row): Record<string, unknown> {
  const { proc } = row;
  // A fleet's task says where it runs with `instance` and that instance's state (a gone one's
  // rows are its last tasks, not cancellable), and `id` is what kill and history take there.
  const state =
    row.asOf === undefined ? { instanceState: "up" } : { instanceState: "gone", goneSince: formatTime(row.asOf), cancellable: false };
  const where = proc.instance === undefined ? { endpoint: row.endpoint } : { instance: proc.instance, ...state };
  return {
    ...where,
    ...proc,
    ...(proc.instance === undefined ? {} : { id: `${proc.instance}/${proc.id}` }),
    procTime: formatTime(proc.procTime),
    statusTime: formatTime(proc.statusTime),
    ageMs: Math.round(row.ageMs * 1000) / 1000,
    statusAgeMs: Math.round(row.statusAgeMs * 1000) / 1000,
  };
}
