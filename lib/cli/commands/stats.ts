import type { Command } from "commander";
import type { RemoteStats } from "../../client/types";
import { askAll, connectAll, whereOf, withConnection, type ConnectionOptions } from "../connect";
import { describeFailure, EXIT } from "../exit-codes";
import { formatDuration, formatValue, truncate } from "../format";
import { renderTable } from "../table";

interface StatsOptions extends ConnectionOptions {
  json?: boolean;
  phases: boolean;
}

const EXAMPLES = `
Examples:
  $ proclist stats
  $ proclist stats -e api1:8081,api2:8081 --no-phases
  $ proclist stats --json | jq '.[] | {endpoint, name, p99: .latencyMs.p99}'

Latencies are over ended tasks (returned, killed or aborted), as the server counts them.
Exit codes: 0 shown, 3 an endpoint unreachable (the others are still shown).`;

/** Defines `proclist stats` on its command, which the program made with its name and summary. */
export function registerStats(command: Command): void {
  withConnection(command)
    .option("--json", "print a JSON array, one object per endpoint and name")
    .option("--no-phases", "leave out the time-per-status table")
    .addHelpText("after", EXAMPLES)
    .action(async (options: StatsOptions) => {
      process.exitCode = await stats(options);
    });
}

async function stats(options: StatsOptions): Promise<number> {
  const answers = await askAll(await connectAll(options), (client) => client.stats());
  const found: { endpoint: string; stats: RemoteStats }[] = [];
  let code: number = EXIT.OK;
  for (const answer of answers) {
    if (answer.ok) found.push({ endpoint: answer.target.endpoint.label, stats: answer.value });
    else {
      process.stderr.write(`proclist: ${describeFailure(answer.target.endpoint.label, answer.error)}\n`);
      code = EXIT.UNREACHABLE;
    }
  }
  const rows = found.flatMap(({ endpoint, stats }) => stats.stats.map((s) => ({ endpoint, ...s })));
  // A fleet's rows say which instance they are of, as ls does (column INSTANCE, key "instance").
  const where = whereOf(options);
  if (options.json === true) {
    const out = where === "endpoint" ? rows : rows.map(({ endpoint, ...s }) => ({ instance: endpoint, ...s }));
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    return code;
  }
  if (rows.length === 0) {
    if (code === EXIT.OK) process.stderr.write(`no tasks have run yet on ${found.map((f) => f.endpoint).join(", ")}\n`);
    return code;
  }
  process.stdout.write(renderStats(rows, options.phases, where.toUpperCase()).join("\n") + "\n");
  return code;
}

type StatsRow = RemoteStats["stats"][number] & { endpoint: string };

/** The stats table, one row per endpoint and task name; with `phases`, the time spent in each status below it. */
function renderStats(rows: StatsRow[], phases: boolean, where: string): string[] {
  const name = (r: StatsRow) => truncate(formatValue(r.name), 48);
  const ms = (n: number, count: number) => (count === 0 ? "-" : formatDuration(n));
  const lines = renderTable(
    [where, "NAME", "RUNNING", "STARTED", "ENDED", "KILLED", "ABORTED", "P50", "P90", "P99", "MAX"],
    rows.map((r) =>
      [formatValue(r.endpoint), name(r), r.running, r.started, r.ended, r.killed, r.aborted]
        .map(String)
        .concat([r.latencyMs.p50, r.latencyMs.p90, r.latencyMs.p99, r.latencyMs.max].map((n) => ms(n, r.latencyMs.count))),
    ),
  );
  if (!phases) return lines;
  const phaseRows = rows.flatMap((r) =>
    Object.entries(r.phases)
      .sort(([, a], [, b]) => b.totalMs - a.totalMs)
      .map(([status, p]) => [
        formatValue(r.endpoint),
        name(r),
        truncate(formatValue(status), 48),
        String(p.count),
        formatDuration(p.totalMs),
        formatDuration(p.count === 0 ? 0 : p.totalMs / p.count),
      ]),
  );
  if (phaseRows.length === 0) return lines;
  return [
    ...lines,
    "",
    "time in each status, over ended tasks:",
    ...renderTable([where, "NAME", "STATUS", "COUNT", "TOTAL", "MEAN"], phaseRows),
  ];
}
