import type { Command } from "commander";
import type { AuditEntry } from "../../audit/entry";
import { connect, onFleet, positiveInt, withConnection, type ConnectionOptions } from "../connect";
import { describeFailure, EXIT } from "../exit-codes";
import { formatValue, formatWhen, truncate } from "../format";
import { renderTable } from "../table";

interface AuditOptions extends ConnectionOptions {
  json?: boolean;
  since?: string;
  limit: number;
}

const EXAMPLES = `
Examples:
  $ proclist audit
  $ proclist audit --since 2026-12-06T03:00:00Z --limit 500 -e api1:8081
  $ proclist audit --redis redis://10.0.0.5:6379 --service orders     # the fleet's stream: survives restarts
  $ proclist audit --json | jq -c 'select(.outcome == "refused")'

Newest first: every kill, forced kill, kill by filter and refused attempt, who asked (token label,
peer), what (id and name, or the filter and the ids it matched), the message and how it ended.
Needs a token with the "audit" right when the server has scoped tokens.
Exit codes: 0 shown, 3 an endpoint or Redis unreachable, or refusing the token.`;

/** Defines `proclist audit` on its command, which the program made with its name and summary. */
export function registerAudit(command: Command): void {
  withConnection(command)
    .option("--since <time>", "only entries at or after this time (RFC 3339, or epoch ms)")
    .option("--limit <n>", "at most this many entries per endpoint", positiveInt, 100)
    .option("--json", "print a JSON array of the entries")
    .addHelpText("after", EXAMPLES)
    .action(async (options: AuditOptions) => {
      process.exitCode = await audit(options);
    });
}

async function audit(options: AuditOptions): Promise<number> {
  const since = options.since === undefined ? undefined : /^\d+$/.test(options.since) ? Number(options.since) : Date.parse(options.since);
  if (since !== undefined && !Number.isFinite(since)) {
    process.stderr.write(`proclist: --since ${JSON.stringify(options.since)} is neither an RFC 3339 time nor epoch milliseconds\n`);
    return EXIT.USAGE;
  }
  const rows: { endpoint: string; entry: AuditEntry }[] = [];
  let code: number = EXIT.OK;
  if (onFleet(options)) {
    try {
      const { readFleetAudit } = require("../../fleet/audit-read") as typeof import("../../fleet/audit-read");
      for (const entry of await readFleetAudit(options, { since, limit: options.limit }))
        rows.push({ endpoint: `service ${options.service ?? "default"}`, entry });
    } catch (error) {
      process.stderr.write(`proclist: ${describeFailure("redis", error)}\n`);
      return EXIT.UNREACHABLE;
    }
  } else {
    for (const { endpoint, client } of connect(options)) {
      try {
        for (const entry of (await client.audit({ since, limit: options.limit })).entries) rows.push({ endpoint: endpoint.label, entry });
      } catch (error) {
        process.stderr.write(`proclist: ${describeFailure(endpoint.label, error)}\n`);
        code = EXIT.UNREACHABLE;
      }
    }
  }
  rows.sort((a, b) => (a.entry.ts < b.entry.ts ? 1 : a.entry.ts > b.entry.ts ? -1 : 0));
  if (options.json === true) {
    process.stdout.write(
      JSON.stringify(
        rows.map(({ endpoint, entry }) => ({ endpoint, ...entry })),
        null,
        2,
      ) + "\n",
    );
    return code;
  }
  if (rows.length === 0) {
    if (code === EXIT.OK) process.stderr.write("no audit entries\n");
    return code;
  }
  const head = ["TIME", "ENDPOINT", "ACTION", "OUTCOME", "BY", "TASK", "MESSAGE", "ERROR"];
  const table = rows.map(({ endpoint, entry }) => [
    // Local HH:MM:SS.mmm (with the date when not today), as every table of the command; RFC 3339 in --json.
    Number.isFinite(Date.parse(entry.ts)) ? formatWhen(Date.parse(entry.ts)) : formatValue(entry.ts),
    formatValue(endpoint),
    // A forced kill's rungs, as the page shows them: how far the force got.
    entry.rungs !== undefined && entry.rungs.length > 0
      ? `${formatValue(entry.action)} (${entry.rungs.map((r) => formatValue(String(r))).join(", ")})`
      : formatValue(entry.action),
    `${formatValue(entry.outcome)} ${entry.status}`,
    formatValue(entry.by),
    truncate(formatValue(what(entry)), 60),
    truncate(formatValue(entry.message ?? ""), 40),
    truncate(formatValue(entry.error ?? ""), 60),
  ]);
  process.stdout.write(renderTable(head, table).join("\n") + "\n");
  return code;
}

/** The task, or the filter and what it matched. */
function what(entry: AuditEntry): string {
  if (entry.filter !== undefined) {
    const filter = Object.entries(entry.filter)
      .map(([k, v]) => `${k}=${([] as string[]).concat(v).join("|")}`)
      .join("&");
    const counts =
      entry.cancelled === undefined
        ? ""
        : ` → ${entry.cancelled.length} cancelled${entry.refused?.length ? `, ${entry.refused.length} refused` : ""}`;
    return filter + counts;
  }
  return entry.name === undefined ? (entry.id ?? "") : `${entry.id ?? ""} (${entry.name})`;
}
