import { type Command, InvalidArgumentError } from "commander";
import type { RemoteProfile } from "../../client/types";
import { connect, onFleet, withConnection, type ConnectionOptions } from "../connect";
import { describeFailure, EXIT } from "../exit-codes";
import { formatDuration, formatValue, truncate } from "../format";
import { renderTable } from "../table";
import { terminalSafe } from "../terminal-text";

interface ProfileOptions extends ConnectionOptions {
  seconds: number;
  json?: boolean;
  tasks: number;
}

const EXAMPLES = `
Examples:
  $ proclist profile --seconds 10
  $ proclist profile -e api1:8081,api2:8081 --seconds 5      # every endpoint at once, one table
  $ proclist profile --json | jq '.[0].profile.names'
  $ proclist profile -e fleet-api:8090                        # serveFleet: a table per instance

Each endpoint profiles its own process's CPU for the seconds given (V8's sampling profiler),
and gives each sample the task that was current when it was taken. SHARE is of the CPU time
sampled; "(outside any task)" is code that ran while no task was current. For V8's raw profile,
to open in Chrome DevTools: curl -o cpu.cpuprofile 'host:8081/procs/profile?seconds=10&format=cpuprofile'.
Exit codes: 0 shown, 3 an endpoint unreachable or already profiling (the others are still shown).`;

/** Defines `proclist profile` on its command, which the program made with its name and summary. */
export function registerProfile(command: Command): void {
  withConnection(command)
    .option("-s, --seconds <n>", "how long to profile, 1 to 60", seconds, 10)
    .option("--tasks <n>", "the busiest tasks listed per endpoint (0: none)", count, 10)
    .option("--json", "print a JSON array, one object per endpoint")
    .addHelpText("after", EXAMPLES)
    .action(async (options: ProfileOptions) => {
      process.exitCode = await profile(options);
    });
}

function seconds(text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || n < 1 || n > 60) throw new InvalidArgumentError("must be a number of seconds from 1 to 60");
  return n;
}

function count(text: string): number {
  if (!/^\d{1,4}$/.test(text)) throw new InvalidArgumentError("must be a whole number");
  return Number(text);
}

async function profile(options: ProfileOptions): Promise<number> {
  if (onFleet(options))
    throw new InvalidArgumentError(
      "profile speaks to endpoints (-e); for a fleet, point it at serveFleet's API, which profiles every instance",
    );
  const targets = connect(options);
  const answers = await Promise.all(
    targets.map(async (target) => {
      try {
        return { endpoint: target.endpoint.label, ok: true as const, value: await target.client.profiles(options.seconds) };
      } catch (error) {
        return { endpoint: target.endpoint.label, ok: false as const, error };
      }
    }),
  );
  const found: { endpoint: string; profile: RemoteProfile["profile"] }[] = [];
  let code: number = EXIT.OK;
  for (const answer of answers) {
    if (!answer.ok) {
      process.stderr.write(`proclist: ${describeFailure(answer.endpoint, answer.error)}\n`);
      code = EXIT.UNREACHABLE;
      continue;
    }
    // A fleet's API answers a table per instance: each is shown as <endpoint>/<instance>.
    for (const entry of answer.value.profiles) {
      const endpoint = entry.instance === undefined ? answer.endpoint : `${answer.endpoint}/${entry.instance}`;
      if ("profile" in entry) found.push({ endpoint, profile: entry.profile });
      else {
        process.stderr.write(`proclist: ${terminalSafe(`${endpoint}: HTTP ${entry.status}: ${entry.error}`)}\n`);
        code = EXIT.UNREACHABLE;
      }
    }
  }
  if (options.json === true) {
    process.stdout.write(JSON.stringify(found, null, 2) + "\n");
    return code;
  }
  if (found.length > 0) process.stdout.write(renderProfiles(found, options.tasks).join("\n") + "\n");
  return code;
}

/** The CPU time per endpoint and task name (and outside any task), then the busiest tasks. */
export function renderProfiles(found: { endpoint: string; profile: RemoteProfile["profile"] }[], tasks: number): string[] {
  const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
  const rows = found.flatMap(({ endpoint, profile }) => [
    ...profile.names.map((row) => [
      formatValue(endpoint),
      truncate(formatValue(row.name), 48),
      formatDuration(row.cpuMs),
      pct(row.share),
      String(row.tasks),
    ]),
    [formatValue(endpoint), "(outside any task)", formatDuration(profile.outside.cpuMs), pct(profile.outside.share), "-"],
  ]);
  const lines = renderTable(["ENDPOINT", "NAME", "CPU", "SHARE", "TASKS"], rows);
  for (const { endpoint, profile } of found) {
    const wall = profile.endTime - profile.startTime;
    lines.push(
      `${formatValue(endpoint)}: ${formatDuration(profile.cpuMs)} of CPU sampled over ${formatDuration(wall)} (${profile.samples} samples; garbage collection ${formatDuration(profile.gcMs)}, idle ${formatDuration(profile.idleMs)})`,
    );
  }
  const taskRows = found.flatMap(({ endpoint, profile }) =>
    profile.tasks
      .slice(0, tasks)
      .map((row) => [
        formatValue(endpoint),
        truncate(formatValue(row.id), 32),
        truncate(formatValue(row.name), 48),
        formatDuration(row.cpuMs),
        pct(row.share),
      ]),
  );
  if (taskRows.length === 0) return lines;
  return [...lines, "", "busiest tasks:", ...renderTable(["ENDPOINT", "ID", "NAME", "CPU", "SHARE"], taskRows)];
}
