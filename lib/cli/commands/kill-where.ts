import { createInterface } from "node:readline/promises";
import type { ProclistClient } from "../../client/client";
import type { KillRequestOptions, TaskFilter, RemoteKilledWhere } from "../../client/types";
import { describeForce, killRequestOf, type KillFlags } from "../force-text";
import { HttpStatusError } from "../../client/errors";
import { CancelForbiddenError, TaskNotFoundError } from "../../core/errors";
import {
  askAll,
  connectAll,
  killWhereInFleet,
  onFleet,
  type ConnectionOptions,
  type Outcome,
  type Target,
  type TaskSource,
} from "../connect";
import { describeFailure, EXIT, sayAt } from "../exit-codes";
import { toFilter, type FilterOptions } from "../filter-options";
import { formatValue } from "../format";

export interface KillWhereOptions extends ConnectionOptions, FilterOptions, KillFlags {
  yes?: boolean;
}

/**
 * `proclist kill --name X [--status S] [--attr k=v] --all`: on every endpoint (or up fleet
 * instance), finds the matching live tasks, asks for confirmation on a terminal unless --yes, then
 * kills them. Exit 0 when all were cancelled, 2 when some refused (forbidCancel), 3 when an
 * endpoint failed or a fleet instance did not answer (its outcome unknown), 1 when nothing matched.
 * With --redis the filter goes to every up instance of the fleet, as serveFleet's DELETE does.
 */
export async function killWhere(options: KillWhereOptions): Promise<number> {
  const filter = toFilter(options);
  const targets = await connectAll(options);
  const found = await askAll(targets, (client) => client.processes(filter));
  let code: number = EXIT.OK;
  const matching: { target: Target; ids: string[] }[] = [];
  for (const answer of found) {
    if (!answer.ok) {
      process.stderr.write(`proclist: ${describeFailure(answer.target.endpoint.label, answer.error)}\n`);
      code = EXIT.UNREACHABLE;
    } else if (answer.value.procs.length > 0) matching.push({ target: answer.target, ids: answer.value.procs.map((p) => p.id) });
  }
  const total = matching.reduce((sum, m) => sum + m.ids.length, 0);
  if (total === 0) {
    const answered = found.filter((a) => a.ok).map((a) => a.target.endpoint.label);
    if (answered.length > 0) sayAt(answered, `no live task matches ${describeFilter(filter)}`);
    return code === EXIT.OK ? EXIT.NOT_FOUND : code;
  }
  if (options.yes !== true && process.stdin.isTTY === true && process.stderr.isTTY === true) {
    const where = matching.map((m) => `${m.ids.length} on ${m.target.endpoint.label}`).join(", ");
    if (!(await confirm(`cancel ${total} task${total === 1 ? "" : "s"} matching ${describeFilter(filter)} (${where})? [y/N] `))) {
      process.stderr.write("proclist: nothing cancelled\n");
      return EXIT.OK;
    }
  }
  const killed: Outcome<RemoteKilledWhere>[] = onFleet(options)
    ? [await killInFleet(matching[0].target, filter, killRequestOf(options))]
    : await askAll(
        matching.map((m) => m.target),
        (client) => killMatching(client, filter, killRequestOf(options), matching.find((m) => m.target.client === client)!.ids),
      );
  for (const answer of killed) {
    const label = answer.target.endpoint.label;
    if (!answer.ok) {
      process.stderr.write(`proclist: ${describeFailure(label, answer.error)}\n`);
      code = EXIT.UNREACHABLE;
      continue;
    }
    const { cancelled, refused } = answer.value;
    process.stdout.write(
      `cancel requested: ${cancelled.length} task${cancelled.length === 1 ? "" : "s"} on ${label}${cancelled.length === 0 ? "" : ` (${cancelled.map(formatValue).join(", ")})`}\n`,
    );
    if (refused.length > 0) {
      process.stderr.write(`proclist: ${refused.length} refused on ${label} (forbidCancel): ${refused.map(formatValue).join(", ")}\n`);
      if (code === EXIT.OK) code = EXIT.FORBIDDEN;
    }
    for (const result of answer.value.forced ?? []) {
      process.stdout.write(describeForce(result.id, result) + "\n");
      if (!result.ended && code === EXIT.OK) code = EXIT.STILL_RUNNING;
    }
    if (answer.value.omitted !== undefined)
      process.stdout.write(`(${answer.value.omitted} more cancelled or refused on ${label}, not listed)\n`);
    for (const { reason } of answer.value.unanswered ?? []) {
      process.stderr.write(`proclist: ${reason}\n`);
      code = EXIT.UNREACHABLE;
    }
  }
  return code;
}

/** The fleet's kill by filter as one outcome: every up instance asked, ids `<instance>/<id>`. */
async function killInFleet(target: Target, filter: TaskFilter, kill: KillRequestOptions): Promise<Outcome<RemoteKilledWhere>> {
  try {
    return { ...(await killWhereInFleet([target], filter, kill)), ok: true, at: performance.now() };
  } catch (error) {
    // Redis failed, not the instance the listing came from: name the fleet.
    return { target: { ...target, endpoint: { ...target.endpoint, label: "fleet" } }, ok: false, error };
  }
}

/**
 * One request on a proclist server (`DELETE /procs/?filter`); a fleet instance, or a server
 * without that route (the Go original answers 405), gets the listed ids killed one by one.
 */
async function killMatching(client: TaskSource, filter: TaskFilter, kill: KillRequestOptions, ids: string[]): Promise<RemoteKilledWhere> {
  const direct = (client as Partial<ProclistClient>).killWhere;
  if (direct !== undefined) {
    try {
      return await direct.call(client, filter, kill);
    } catch (error) {
      if (!(error instanceof HttpStatusError && (error.status === 404 || error.status === 405))) throw error;
    }
  }
  const result: RemoteKilledWhere = { cancelled: [], refused: [] };
  // One by one: forced kills each wait out their grace, so they go at once, side by side.
  await Promise.all(
    ids.map(async (id) => {
      try {
        const killed = await client.kill(id, kill);
        result.cancelled.push(id);
        if (killed.force !== undefined) (result.forced ??= []).push({ id, ...killed.force });
      } catch (error) {
        if (error instanceof CancelForbiddenError) result.refused.push(id);
        else if (!(error instanceof TaskNotFoundError)) throw error;
      }
    }),
  );
  return result;
}

function describeFilter(filter: TaskFilter): string {
  const parts: string[] = [];
  if (filter.name !== undefined) parts.push(`name ${JSON.stringify(filter.name)}`);
  if (filter.status !== undefined) parts.push(`status ${JSON.stringify(filter.status)}`);
  for (const [key, value] of Object.entries(filter.attrs ?? {})) parts.push(`${key}=${JSON.stringify(value)}`);
  return parts.join(", ");
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
