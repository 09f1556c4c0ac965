import type { ProcessManager } from "../core/manager";
import type { Grant } from "../http/access/rights";
import { compile } from "../schema/validation";
import { queryFilter } from "../http/lists/filters";
import type { KillRequest, Query } from "../http/inputs/checks";
import type { ForceResult } from "../core/force";
import type { KillWhereResult } from "../core/manager";
import { forcedSchema } from "../wire/schemas";
import type { WireForce } from "../wire/shapes";
import { forceFields } from "../wire/force";
import { checkKillQuery } from "../http/routes/kill-where";
import { attrText } from "../http/lists/attrs";
import { InstanceUnreachableError } from "./errors";
import type { FleetRequest } from "./protocol";
import type { FleetReader } from "./reader";

/** The ids one instance lists in its answer, as JSON text; past it they are counted in `omitted` (a reply stays far under the channel's bound). */
const MAX_IDS_BYTES = 1 << 20;

/** What one instance answers to a kill by filter: its own ids, and how many did not fit in the answer. */
export interface InstanceKilledWhere {
  cancelled: string[];
  refused: string[];
  /** Matching tasks cancelled or refused but not listed (the answer is bounded). */
  omitted?: number;
  /** Forced: how each kill listed in `cancelled` went. */
  forced?: ForceResult[];
}

/** A kill by filter across the fleet: every up instance's answer, and the instances whose answer is unknown. */
export interface FleetKilledWhere {
  /** Fleet ids, `<instance>/<id>`, instance by instance. */
  cancelled: string[];
  refused: string[];
  omitted?: number;
  /** Forced: how each kill went, ids as `<instance>/<id>`. */
  forced?: (WireForce & { id: string })[];
  /** Up instances that did not answer: not listening (nothing was killed there) or silent past the timeout (unknown). */
  unanswered: { instance: string; reason: string }[];
}

const ids = { type: "array", items: { type: "string" } };
const validateAnswer = compile<InstanceKilledWhere>({
  type: "object",
  required: ["cancelled", "refused"],
  properties: { cancelled: ids, refused: ids, omitted: { type: "integer", minimum: 0 }, forced: forcedSchema },
});

/**
 * The instance's side: checks the filter as `DELETE /procs/?…` does (a 400 without one), runs
 * `manager.killWhere` comparing attributes as the list shows them, and answers its ids, bounded.
 */
export function killWhereOnInstance(manager: ProcessManager, request: FleetRequest, by: string, scope?: Grant): string | Promise<string> {
  const query = request.query ?? {};
  checkKillQuery(query);
  const force = request.force === true;
  const allowed = scope === undefined ? undefined : (task: { name: string }) => scope.mayKill(task.name, force);
  const killed = manager.killWhere(
    queryFilter(query),
    request.message === "" ? undefined : request.message,
    { by, force, graceMs: request.graceMs },
    attrText,
    allowed,
  );
  return killed instanceof Promise ? killed.then((result) => answerOf(result)) : answerOf(killed);
}

/** One instance's answer to a kill by filter: its ids, bounded, and how each forced kill went. */
function answerOf({ cancelled, refused, ...rest }: KillWhereResult & { forced?: ForceResult[] }): string {
  let budget = MAX_IDS_BYTES;
  let omitted = 0;
  const fit = (ids: string[]) =>
    ids.filter((id) => {
      budget -= id.length * 6 + 3;
      if (budget >= 0) return true;
      omitted++;
      return false;
    });
  const answer: InstanceKilledWhere = { cancelled: fit(cancelled), refused: fit(refused) };
  if (omitted > 0) answer.omitted = omitted;
  // The forced results are bounded as the ids they follow.
  if (rest.forced !== undefined) {
    const listed = new Set(answer.cancelled);
    answer.forced = rest.forced.filter((r) => listed.has(r.id));
  }
  return JSON.stringify(answer);
}

/**
 * Sends the filter to every up instance at once over its control channel; each runs killWhere
 * and answers. Ids come back in the fleet form; an instance that is not listening or does not
 * answer within the reader's timeout is named in `unanswered`, never guessed at.
 * Throws a 400 HttpError for a missing or bad filter before anything is sent.
 */
export async function fleetKillWhere(
  reader: FleetReader,
  query: Query,
  kill: KillRequest,
  by: string,
  can?: string[],
): Promise<FleetKilledWhere> {
  checkKillQuery(query);
  const { message, force, graceMs } = kill;
  const up = (await reader.instances()).filter((i) => i.state === "up").map((i) => i.instance);
  const fields = {
    query: query as Record<string, string | string[]>,
    by,
    ...(message === undefined ? {} : { message }),
    ...(can === undefined ? {} : { can }),
    ...(force ? { force, ...(graceMs === undefined ? {} : { graceMs }) } : {}),
  };
  const answers = await Promise.all(
    up.map((instance) =>
      reader.ask(instance, "killWhere", fields).then(
        (reply) => ({ instance, reply }),
        (error: unknown) => ({ instance, error }),
      ),
    ),
  );
  const out: FleetKilledWhere = { cancelled: [], refused: [], unanswered: [] };
  let omitted = 0;
  for (const answer of answers) {
    const { instance } = answer;
    if ("error" in answer) {
      // Redis failing half-way is this instance's unknown too: the others' answers still stand.
      const reason =
        answer.error instanceof InstanceUnreachableError
          ? answer.error.message
          : `instance ${JSON.stringify(instance)} not asked: ${answer.error instanceof Error ? answer.error.message : String(answer.error)}`;
      out.unanswered.push({ instance, reason });
    } else if (answer.reply.status !== 200 || !validateAnswer(answer.reply.body)) {
      const why =
        answer.reply.status !== 200
          ? `${answer.reply.status}: ${answer.reply.error ?? "no reason given"}`
          : "something that is not a kill's answer";
      out.unanswered.push({ instance, reason: `instance ${JSON.stringify(instance)} answered ${why}` });
    } else {
      const body = answer.reply.body;
      for (const id of body.cancelled) out.cancelled.push(`${instance}/${id}`);
      for (const id of body.refused) out.refused.push(`${instance}/${id}`);
      if (force) for (const result of body.forced ?? []) (out.forced ??= []).push(wireForce(result, `${instance}/${result.id}`));
      omitted += body.omitted ?? 0;
    }
  }
  if (omitted > 0) out.omitted = omitted;
  return out;
}

/** One forced kill as the wire says it, named `id`: only the wire's fields, from an answer that was checked. */
function wireForce(result: ForceResult, id: string): WireForce & { id: string } {
  return { id, ...forceFields(result) };
}
