import type { ProcessManager } from "../../core/manager";
import { TaskNotFoundError } from "../../core/errors";
import type { AuditLog } from "../../audit/log";
import type { Handler } from "../responses/handler";
import { audited } from "./audited";
import { HttpError } from "../responses/http-error";
import { checkQuery, decodeId, readKillMessage } from "../inputs/checks";
import type { AppConfig } from "../options";
import { killRequester } from "../access/kill-access";
import { grantOf, requireKill, requireSomeKill, type Grant } from "../access/rights";
import { sendJsonText, serverTime } from "../responses/respond";

/**
 * `DELETE /procs/:id` with an optional body `{ "message": "…" }`: cancels a live task and its
 * live descendants, recording who asked. Every check (protected mode, id, body) runs before the
 * kill, so a refused request changes nothing.
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
    const message = await readKillMessage(req);
    draft.message = message;
    sendJsonText(res, 200, killTask(manager, id, message, by, id, grantOf(req)));
  });
}

/**
 * Kills a live task and answers the `WireKilled` JSON, naming the task `shownId` (the fleet's
 * `<instance>/<id>`). Throws TaskNotFoundError, CancelForbiddenError, a 404 for a task already
 * ended, or a 403 when `grant` may not kill a task of its name.
 */
export function killTask(manager: ProcessManager, id: string, reason: string | undefined, by: string, shownId = id, grant?: Grant): string {
  const task = manager.get(id);
  if (task !== undefined && !task.running) throw new HttpError(404, `task ${JSON.stringify(shownId)} already ended (${task.outcome})`);
  if (task === undefined) throw new TaskNotFoundError(shownId);
  if (grant !== undefined) requireKill(grant, shownId, task.name);
  manager.kill(id, reason, by);
  // A second kill changes nothing: answer with the message in force, the first one.
  const inForce = task.cancel?.reason;
  let json = `{"id":${JSON.stringify(shownId)},"cancelling":true`;
  if (inForce !== undefined) json += `,"message":${JSON.stringify(inForce)}`;
  return json + `,"serverTime":"${serverTime()}"}`;
}
