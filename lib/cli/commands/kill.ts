import { InvalidArgumentError, type Command } from "commander";
import { HttpStatusError } from "../../client/errors";
import { TaskNotFoundError } from "../../core/errors";
import { askAll, connectFor, graceMs, positiveInt, withConnection, type Target } from "../connect";
import { hasFilter, withFilter } from "../filter-options";
import { killWhere, type KillWhereOptions } from "./kill-where";
import { describeFailure, EXIT, exitCodeOf, NOT_KEPT, sayAt } from "../exit-codes";
import { formatDuration, formatValue, formatWhen } from "../format";
import type { RemoteFinishedProc } from "../../client/types";
import { waitEnded } from "../wait-ended";
import type { RemoteKilled } from "../../client/types";
import { describeForce, killRequestOf } from "../force-text";

interface KillOptions extends KillWhereOptions {
  boot?: string;
  wait?: number | true;
  all?: boolean;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ proclist kill req-42
  $ proclist kill req-42 -m "stuck on the database" -e api1:8081,api2:8081
  $ proclist kill req-42 --wait        # then wait (10 s) until it has ended, and say how
  $ proclist kill req-42 --force --grace 2s   # still running 2 s after the cancel: force it
  $ proclist kill api-7/req-42 --redis redis://127.0.0.1:6379 --service orders   # in a fleet
  $ proclist kill api-7/req-42 --boot Xq3… --redis …   # only if api-7 has not restarted since ls --json gave that boot
  $ proclist kill --name "GET /report" --attr tenant=acme --all -m "report storm" -e api1:8081,api2:8081
  $ proclist kill --name "GET /report" --all --redis redis://127.0.0.1:6379 --service orders   # every instance

By filter (--name, --status, --attr, with --all), every matching live task on every endpoint is
cancelled, after a confirmation on a terminal unless --yes.

With several endpoints, the one holding the live task is found first, and only it is asked.
Exit codes: 0 cancel requested, 1 not found, 2 forbidden (the task has forbidCancel),
(also with --boot when the instance restarted since: nothing is killed),
3 an endpoint, Redis or the fleet instance unreachable, refusing the token or not a proclist API,
4 the id is live on several endpoints, 5 (--wait) the task still runs when the wait is over, or
(--force) it still runs after every rung, 6 the task had already ended (how and when is said).

--force: if the task still runs after the grace (default 5s; 0 forces at once), its request's
connection is closed, the operations it awaits are aborted and its worker thread terminated;
still running after that, it is marked as ignoring its cancel. The answer says which were taken.
By filter: 0 all cancelled, 1 none matched,
2 some refused (forbidCancel), 3 an endpoint failed or a fleet instance did not answer (named on stderr;
the others' tasks are cancelled all the same).`;

/** Defines `proclist kill <id>` on its command, which the program made with its name and summary. */
export function registerKill(command: Command): void {
  withFilter(withConnection(command.argument("[id]", "task id")))
    .option("--all", "with a filter: cancel every matching task")
    .option("-y, --yes", "with --all: do not ask for confirmation")
    .option("-m, --message <text>", "why: recorded in the task's history as [cancel request: text]")
    .option("--wait [ms]", "after the kill, wait until the task has ended (default 10000 ms)", positiveInt)
    .option("--json", "with an id: print what was done as one JSON line (and, with --wait, how it ended as another)")
    .option("--force", "if the task still runs after the grace, force it (see below)")
    .option("--grace <duration>", "with --force: how long the cancel alone is given, as 2s, 500ms or 0 (default 5s)", graceMs)
    .option(
      "--boot <id>",
      "in a fleet: the boot id of the list the id came from (ls --json gives it); refused if the instance restarted since",
    )
    .addHelpText("after", EXAMPLES)
    .action(async (id: string | undefined, options: KillOptions) => {
      if (id !== undefined && (hasFilter(options) || options.all === true))
        throw new InvalidArgumentError("give a task id or a filter with --all, not both");
      if (options.boot !== undefined && id === undefined) throw new InvalidArgumentError("--boot goes with a task id, not with a filter");
      if (options.grace !== undefined && options.force !== true)
        throw new InvalidArgumentError("--grace is the wait before forcing: add --force");
      if (id !== undefined) return void (process.exitCode = await kill(id, options));
      if (!hasFilter(options)) throw new InvalidArgumentError("give a task id, or a filter (--name, --status, --attr) with --all");
      if (options.all !== true)
        throw new InvalidArgumentError("a filter may select many tasks: add --all to cancel every one that matches");
      if (options.wait !== undefined) throw new InvalidArgumentError("--wait is for one task id, not with --all");
      if (options.json === true) throw new InvalidArgumentError("--json is for one task id, not with --all");
      process.exitCode = await killWhere(options);
    });
}

async function kill(shownId: string, options: KillOptions): Promise<number> {
  const { targets, id, unknown } = await connectFor(options, shownId);
  if (unknown !== undefined) {
    sayAt(unknown.where, `no such task: ${formatValue(JSON.stringify(shownId))} (${unknown.why})`);
    return EXIT.NOT_FOUND;
  }
  let holder: Target;
  if (targets.length === 1) holder = targets[0];
  else {
    const located = await locate(id, targets);
    if (typeof located === "number") return located;
    holder = located;
  }
  let killed: RemoteKilled;
  try {
    killed = await holder.client.kill(id, { ...killRequestOf(options), ...(options.boot === undefined ? {} : { boot: options.boot }) });
  } catch (error) {
    if (error instanceof TaskNotFoundError && (await reportEnded([holder], id))) return EXIT.ENDED;
    process.stderr.write(`proclist: ${describeFailure(holder.endpoint.label, error)}\n`);
    return exitCodeOf(error);
  }
  if (options.json === true) {
    const answer = {
      endpoint: holder.endpoint.label,
      id,
      cancelling: true,
      ...(options.message === undefined ? {} : { message: options.message }),
      ...(killed.force === undefined ? {} : { force: killed.force }),
    };
    process.stdout.write(JSON.stringify(answer) + "\n");
  } else
    process.stdout.write(
      `cancel requested: task ${formatValue(id)} on ${holder.endpoint.label}${options.message === undefined ? "" : ` (${formatValue(options.message)})`}\n`,
    );
  if (options.force === true) {
    if (killed.force === undefined) {
      sayAt(
        holder.endpoint.label,
        "did not force the task (a server without forced kills, such as the original Go pm): it was only cancelled",
      );
      return EXIT.STILL_RUNNING;
    }
    if (options.json !== true) process.stdout.write(describeForce(id, killed.force) + "\n");
    if (!killed.force.ended) return EXIT.STILL_RUNNING;
  }
  return options.wait === undefined ? EXIT.OK : wait(holder, id, options.wait === true ? 10_000 : options.wait, options.json === true);
}

async function wait(holder: Target, id: string, ms: number, json: boolean): Promise<number> {
  try {
    const ending = await waitEnded(holder.client, id, ms);
    if (ending.state === "running") {
      sayAt(
        holder.endpoint.label,
        `task ${formatValue(JSON.stringify(id))} is still running after ${formatDuration(ms)}: its code has not reached a cancellation point; kill --force (with --grace 0: at once) takes away what it awaits`,
      );
      return EXIT.STILL_RUNNING;
    }
    const how =
      ending.state === "gone"
        ? "ended"
        : `ended ${formatValue(ending.proc.status)} after ${formatDuration(ending.proc.durationMs)}${ending.proc.error === undefined ? "" : `: ${formatValue(ending.proc.error)}`}`;
    if (json) {
      const ended =
        ending.state === "gone"
          ? { ended: true }
          : {
              ended: true,
              outcome: ending.proc.outcome,
              status: ending.proc.status,
              durationMs: ending.proc.durationMs,
              ...(ending.proc.error === undefined ? {} : { error: ending.proc.error }),
            };
      process.stdout.write(JSON.stringify({ endpoint: holder.endpoint.label, id, ...ended }) + "\n");
    } else process.stdout.write(`task ${formatValue(id)} ${how}\n`);
    return EXIT.OK;
  } catch (error) {
    process.stderr.write(`proclist: ${describeFailure(holder.endpoint.label, error)}\n`);
    return exitCodeOf(error);
  }
}

/**
 * Finds the one endpoint where the task is live. Killing on every endpoint that answers would be
 * wrong: ids are only unique within one server, so the same id elsewhere is another task.
 */
async function locate(id: string, targets: Target[]): Promise<Target | number> {
  const answers = await askAll(targets, (client) => isLive(client, id));
  const holders = answers.filter((a) => a.ok && a.value).map((a) => a.target);
  const failed = answers.filter((a) => !a.ok);
  if (holders.length === 1) return holders[0];
  if (holders.length > 1) {
    sayAt(
      holders.map((t) => t.endpoint.label),
      `task ${formatValue(JSON.stringify(id))} is live on each of these ${holders.length} endpoints; choose one with -e`,
    );
    return EXIT.AMBIGUOUS;
  }
  for (const answer of failed)
    if (!answer.ok) process.stderr.write(`proclist: ${describeFailure(answer.target.endpoint.label, answer.error)}\n`);
  if (
    failed.length < targets.length &&
    (await reportEnded(
      answers.filter((a) => a.ok).map((a) => a.target),
      id,
    ))
  )
    return EXIT.ENDED;
  // When none answered, the failures above are the whole story; else the ones that answered are named.
  if (failed.length < targets.length)
    sayAt(
      answers.filter((a) => a.ok).map((a) => a.target.endpoint.label),
      `no such task: ${formatValue(JSON.stringify(id))} (${NOT_KEPT})`,
    );
  return failed.length === 0 ? EXIT.NOT_FOUND : EXIT.UNREACHABLE;
}

/**
 * Says how and when the task ended, when one of `targets` still keeps it among its finished
 * tasks: a kill that comes just too late is not about a task that never existed.
 */
async function reportEnded(targets: Target[], id: string): Promise<boolean> {
  const answers = await askAll(targets, (client) => client.task(id));
  for (const answer of answers) {
    if (!answer.ok || answer.value.running) continue;
    const proc = answer.value.proc as RemoteFinishedProc;
    const last = proc.status === proc.outcome ? "" : `: ${JSON.stringify(proc.status)}`;
    const how = `${proc.outcome} after ${formatDuration(proc.durationMs)}${last}${proc.killedBy === undefined ? "" : `, by ${proc.killedBy}`}${proc.error === undefined ? "" : `, error ${JSON.stringify(proc.error)}`}`;
    sayAt(
      answer.target.endpoint.label,
      `task ${JSON.stringify(id)} already ended at ${formatWhen(proc.endTime)} (${how}); nothing to cancel`,
    );
    return true;
  }
  return false;
}

/** Whether the endpoint runs the task now: one request on proclist, the whole list on the original Go server. */
async function isLive(client: Target["client"], id: string): Promise<boolean> {
  try {
    return (await client.task(id)).running;
  } catch (error) {
    if (error instanceof TaskNotFoundError) return false;
    if (!(error instanceof HttpStatusError && (error.status === 404 || error.status === 405))) throw error;
  }
  return (await client.processes()).procs.some((p) => p.id === id);
}
