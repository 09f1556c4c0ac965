import type { ForceResult } from "../../core/force";
import type { ProcessManager } from "../../core/manager";
import { queryFilter } from "../lists/filters";
import type { AuditLog } from "../../audit/log";
import type { Handler } from "../responses/handler";
import { audited } from "./audited";
import { HttpError } from "../responses/http-error";
import { checkQuery, readKill, type Query } from "../inputs/checks";
import { forceJson, rungsTaken } from "./kill";
import { killRequester } from "../access/kill-access";
import { grantOf, requireSomeKill } from "../access/rights";
import type { AppConfig } from "../options";
import { sendJsonText, serverTime } from "../responses/respond";
import { attrText } from "../lists/attrs";

/**
 * `DELETE /procs/?name=…&status=…&attr.<key>=<value>` with an optional body `{ "message": "…" }`:
 * cancels every live task the list's filters select (and their live descendants), answering
 * `{ cancelled: [ids], refused: [ids] }` (refused: started with forbidCancel, or named outside what the
 * token may cancel, or force); with `force` in the
 * body, once every ladder is over, with `forced`: how each went. Without a filter it
 * answers 400 and kills nothing: a bare DELETE on the list is a mistake, not a kill-all.
 */
export function killWhereRoute(manager: ProcessManager, config: AppConfig, log: AuditLog): Handler {
  return audited(log, config, "kill-where", async (req, res, draft) => {
    const by = killRequester(req, config);
    draft.by = by;
    draft.filter = req.query as Record<string, string | string[]>;
    requireSomeKill(req);
    checkKillQuery(req.query);
    const { message: reason, force, graceMs } = await readKill(req);
    draft.message = reason;
    if (force) requireSomeKill(req, true);
    const grant = grantOf(req);
    const killed = manager.killWhere(queryFilter(req.query), reason, { by, force, graceMs }, attrText, (task) =>
      grant.mayKill(task.name, force),
    );
    const { cancelled, refused } = killed instanceof Promise ? await killed : killed;
    draft.cancelled = cancelled;
    draft.refused = refused;
    let fields = `"cancelled":${JSON.stringify(cancelled)},"refused":${JSON.stringify(refused)}`;
    if (killed instanceof Promise) {
      const { forced } = await killed;
      draft.rungs = forced.map((result) => ({ id: result.id, rungs: rungsTaken(result) }));
      fields += `,"forced":${forcedJson({ forced })}`;
    }
    sendJsonText(res, 200, killedWhereJson(fields, reason));
  });
}

/**
 * Checks the query of a kill by filter (the fleet's too): a 400 naming the bad parameter, or
 * when it names no filter at all, before anything is killed.
 */
export function checkKillQuery(query: Query): void {
  checkQuery("killQuery", query);
  if (!Object.keys(query).some((key) => key === "name" || key === "status" || key.startsWith("attr."))) {
    throw new HttpError(
      400,
      "DELETE /procs/ needs a filter (name, status or attr.<key>), as in DELETE /procs/?name=GET%20/report; to cancel one task, DELETE /procs/<id>",
    );
  }
}

/** The answer's JSON around `fields` (the id lists, and what else the answer carries), with the message and serverTime. */
export function killedWhereJson(fields: string, reason: string | undefined): string {
  let json = `{${fields}`;
  if (reason !== undefined) json += `,"message":${JSON.stringify(reason)}`;
  return json + `,"serverTime":"${serverTime()}"}`;
}

/** The forced kills of a kill by filter, as the wire lists them: `[{ "id": …, …WireForce }]`, ids as `scope` + id (the fleet's `<instance>/`). */
export function forcedJson(result: { forced: readonly ForceResult[] }, scope = ""): string {
  return "[" + result.forced.map((r) => `{"id":${JSON.stringify(scope + r.id)},` + forceJson(r).slice(1)).join(",") + "]";
}
