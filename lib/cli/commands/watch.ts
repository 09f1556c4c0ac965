import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { TransportError } from "../../client/errors";
import { formatTime } from "../../client/time";
import type { RemoteEvent } from "../../client/types";
import { connectAll, positiveInt, withConnection, type ConnectionOptions } from "../connect";
import { describeFailure, EXIT, exitCodeOf } from "../exit-codes";
import { formatClock, formatDuration, formatValue } from "../format";

interface WatchOptions extends ConnectionOptions {
  json?: boolean;
  count?: number;
  id?: string;
  name?: string;
}

const EXAMPLES = `
Examples:
  $ proclist watch
  $ proclist watch -e api1:8081,api2:8081
  $ proclist watch --json | jq -c 'select(.type == "done" and .outcome != "ended")'
  $ proclist watch --name "GET /work" --count 1   # wait for the next such event, print it, exit

Runs until Ctrl-C (exit 0). A dropped stream is reconnected with backoff and resumes where it
stopped (the server gives the missed events again); when the server no longer has them, a
"reset" line says events were missed. Needs proclist servers: the original Go pm has no events.
An endpoint down at start is tried again (after 1 s, doubling up to 30 s) while the others are
followed. Exit codes: 0 stopped, 3 no endpoint reachable at start, or one refusing the token.`;

/** Defines `proclist watch` on its command, which the program made with its name and summary. */
export function registerWatch(command: Command): void {
  withConnection(command)
    .option("--json", "print one JSON object per line (times RFC 3339)")
    .option("--count <n>", "exit after n events", positiveInt)
    .option("--id <id>", "follow one task only")
    .option("--name <name>", "follow tasks of this name only")
    .addHelpText("after", EXAMPLES)
    .action(async (options: WatchOptions) => {
      process.exitCode = await watch(options);
    });
}

async function watch(options: WatchOptions): Promise<number> {
  const targets = await connectAll(options);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
  const width = Math.max(...targets.map((t) => t.endpoint.label.length));
  let printed = 0;
  let code: number = EXIT.OK;
  // An endpoint down at start is retried while another answers, as ls, stats and top go on with
  // the endpoints that answer; only when none could be reached is it a failure (exit 3).
  let connected = 0;
  let downAtStart = 0;
  // Endpoints found down before any other answered: said once one does (then they are retried
  // while it is followed), or plainly when none does (then watch exits).
  const unsaid: string[] = [];
  const retrying = (text: string) => process.stderr.write(`${text}; following the others, retrying it\n`);
  await Promise.all(
    targets.map(async ({ endpoint, client }) => {
      let connections = 0;
      let retryMs = RETRY_FIRST_MS;
      const running = new Running();
      while (!stop.signal.aborted) {
        try {
          const events = client.events({
            signal: stop.signal,
            id: options.id,
            name: options.name,
            onConnect: () => {
              if (connections++ === 0 && connected++ === 0) for (const text of unsaid.splice(0)) retrying(text);
              if (connections > 1 || retryMs > RETRY_FIRST_MS)
                process.stderr.write(`proclist: ${endpoint.label}: events stream ${connections > 1 ? "reconnected" : "connected"}\n`);
            },
            onDisconnect: (error, ms) => {
              const why = formatValue(error instanceof TransportError ? error.reason : error.message);
              process.stderr.write(`proclist: ${endpoint.label}: events stream lost (${why}); reconnecting in ${formatDuration(ms)}\n`);
            },
          });
          for await (const event of events) {
            process.stdout.write(
              (options.json === true
                ? JSON.stringify(toJson(endpoint.label, event))
                : line(endpoint.label.padEnd(width), event, running.isRename(event))) + "\n",
            );
            if (options.count !== undefined && ++printed >= options.count) stop.abort();
          }
          return;
        } catch (error) {
          if (stop.signal.aborted) return;
          const down = error instanceof TransportError && connections === 0;
          if (down && retryMs === RETRY_FIRST_MS) downAtStart++;
          if (!down || (connected === 0 && downAtStart === targets.length)) {
            for (const text of unsaid.splice(0)) process.stderr.write(`${text}\n`);
            process.stderr.write(`proclist: ${describeFailure(endpoint.label, error)}\n`);
            code = Math.max(code, exitCodeOf(error) === EXIT.USAGE ? EXIT.USAGE : EXIT.UNREACHABLE);
            stop.abort();
            return;
          }
          if (retryMs === RETRY_FIRST_MS) {
            const text = `proclist: ${describeFailure(endpoint.label, error)}`;
            if (connected > 0) retrying(text);
            else unsaid.push(text);
          }
          await sleep(retryMs, undefined, { signal: stop.signal }).catch(() => undefined);
          retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        }
      }
    }),
  ).finally(() => process.off("SIGINT", onSignal).off("SIGTERM", onSignal));
  return code;
}

/** How soon an endpoint down at start is tried again, doubling up to the most. */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;

/**
 * The tasks of one endpoint seen starting and not yet ended, so that a second `start` of one (a
 * request renamed once its route is known: same id and start time) reads as a rename. Bounded by
 * the endpoint's running tasks; forgotten on a reset, after which events were missed.
 */
class Running {
  private readonly started = new Map<string, number>();

  /** Whether `event` renames a task already seen starting; keeps the books either way. */
  isRename(event: RemoteEvent): boolean {
    if (event.type === "reset") this.started.clear();
    if (event.type === "done") this.started.delete(event.id);
    if (event.type !== "start") return false;
    const known = this.started.get(event.proc.id) === event.proc.procTime;
    this.started.set(event.proc.id, event.proc.procTime);
    return known;
  }
}

/** `09:00:01.234  api1:8081  status  req-42  reading`; a rename as `rename  req-42  GET /orders/:id`. */
export function line(endpoint: string, event: RemoteEvent, rename = false): string {
  const id = event.type === "start" ? event.proc.id : event.type === "reset" ? "-" : event.id;
  if (event.type === "start" && rename)
    // The event carries the task's start time; the rename happens now.
    return `${formatClock(Date.now())}  ${endpoint}  rename  ${formatValue(id)}  ${formatValue(event.proc.name ?? "")}`.trimEnd();
  return `${formatClock(event.ts)}  ${endpoint}  ${event.type.padEnd(6)}  ${formatValue(id)}  ${details(event)}`.trimEnd();
}

function details(event: RemoteEvent): string {
  switch (event.type) {
    case "start": {
      const attrs = Object.entries(event.proc.attrs).map(([k, v]) => `${formatValue(k)}=${formatValue(v)}`);
      // A task started without a name is named after its id: saying it twice is noise.
      const name = event.proc.name === event.proc.id ? "" : (event.proc.name ?? "");
      return [formatValue(name), ...attrs].filter((s) => s !== "").join(" ");
    }
    case "status":
      return formatValue(event.status);
    case "attr":
      return event.deleted ? `${formatValue(event.key)} deleted` : `${formatValue(event.key)}=${formatValue(event.value)}`;
    case "kill":
      return `cancel requested${event.message === undefined ? "" : `: ${formatValue(event.message)}`}${event.by === undefined ? "" : ` by ${formatValue(event.by)}`}`;
    case "reset":
      return `events were missed: ${formatValue(event.reason)}`;
    case "wait":
      return event.waits.length === 0
        ? "waiting on nothing"
        : `waiting on ${event.waits.map((w) => `${formatValue(w.kind)} ${formatValue(w.target)}`).join(", ")}`;
    case "done":
      return `${event.outcome} after ${formatDuration(event.durationMs)}${event.status === event.outcome ? "" : ` (${formatValue(event.status)})`}${event.error === undefined ? "" : `: ${formatValue(event.error)}`}`;
  }
}

function toJson(endpoint: string, event: RemoteEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { endpoint, ...event, ts: formatTime(event.ts) };
  if (event.type === "start")
    out.proc = { ...event.proc, procTime: formatTime(event.proc.procTime), statusTime: formatTime(event.proc.statusTime) };
  if (event.type === "wait") out.waits = event.waits.map((wait) => ({ ...wait, since: formatTime(wait.since) }));
  return out;
}
