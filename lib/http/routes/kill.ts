import type { ProcessManager } from "../../core/manager";
import { TaskNotFoundError } from "../../core/errors";
import type { AuditLog } from "../../audit/log";
import type { Handler } from "../responses/handler";
import { audited } from "./audited";
import { HttpError } from "../responses/http-error";
import type { ForceResult } from "../../core/force";
import { checkQuery, decodeId, readKill, type KillRequest } from "../inputs/checks";
import type { AppConfig } from "../options";
import { killRequester } from "../access/kill-access";
import { grantOf, requireKill, requireSomeKill, type Grant } from "../access/rights";
import { sendJsonText, serverTime } from "../responses/respond";
import { forceFields } from "../../wire/force";

/**
 * `DELETE /procs/:id` with an optional body `{ "message": "…", "force": true, "graceMs": 2000 }`:
 * cancels a live task and its live descendants, recording who asked; with `force`, answers once
 * the ladder is over (the grace, the rungs, a second for them to act), saying how far it got.
 * Every check (protected mode, id, body) runs before the kill, so a refused request changes nothing.
 */
export function killRoute(manager: ProcessManager, config: AppConfig, log: AuditLog): Handler {
  return audited(log, config, "kill", async (req, res, draft) => {
    const by = killRequester(req, config);
    draft.by = by;
    const id = decodeId(req.params.id);
    draft.id = id;
    draft.name = manager.get(id)?.name;
    requireSomeKill(req);
    checkQuery("noQuery", req.query);
    const kill = await readKill(req);
    draft.message = kill.message;
    if (kill.force) {
      draft.action = "force";
      // A forced kill needs the force right: known only once the body is read.
      requireSomeKill(req, true);
    }
    sendJsonText(res, 200, await killTask(manager, id, kill, by, id, grantOf(req), (result) => (draft.rungs = rungsTaken(result))));
  });
}

/**
 * Kills a live task and answers the `WireKilled` JSON, naming the task `shownId` (the fleet's
 * `<instance>/<id>`); forced, once the ladder is over. Throws TaskNotFoundError,
 * CancelForbiddenError, a 404 for a task already ended, or a 403 when `grant` may not kill
 * (or force) a task of its name.
 */
export function killTask(
  manager: ProcessManager,
  id: string,
  kill: KillRequest,
  by: string,
  shownId = id,
  grant?: Grant,
  onForced?: (result: ForceResult) => void,
): string | Promise<string> {
  const task = manager.get(id);
  if (task !== undefined && !task.running) throw new HttpError(404, `task ${JSON.stringify(shownId)} already ended (${task.outcome})`);
  if (task === undefined) throw new TaskNotFoundError(shownId);
  if (grant !== undefined) requireKill(grant, shownId, task.name, kill.force);
  const forced = manager.kill(id, kill.message, { by, force: kill.force, graceMs: kill.graceMs });
  // A second kill changes nothing: answer with the message in force, the first one.
  const inForce = task.cancel?.reason;
  let json = `{"id":${JSON.stringify(shownId)},"cancelling":true`;
  if (inForce !== undefined) json += `,"message":${JSON.stringify(inForce)}`;
  if (forced === undefined) return json + `,"serverTime":"${serverTime()}"}`;
  return forced.then((result) => {
    onForced?.(result);
    return json + `,"force":${forceJson(result)},"serverTime":"${serverTime()}"}`;
  });
}

/** The steps a forced kill took, as the audit records them: its rungs, then `ignored` when the task was marked as ignoring its cancel. */
export function rungsTaken(result: Pick<ForceResult, "rungs" | "ignoringCancel">): string[] {
  return result.ignoringCancel ? [...result.rungs, "ignored"] : [...result.rungs];
}

/** How a forced kill went, as the wire says it (`WireForce`): the task's id is the answer's. */
export function forceJson(result: ForceResult): string {
  return JSON.stringify(forceFields(result));
}
