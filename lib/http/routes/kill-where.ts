import type { ProcessManager } from "../../core/manager";
import { readJsonBody } from "../body";
import { queryFilter } from "../filters";
import { handle, type Handler } from "../handler";
import { HttpError } from "../http-error";
import { checkKillBody, checkQuery } from "../inputs";
import { killRequester } from "../kill-access";
import type { AppConfig } from "../options";
import { sendJsonText, serverTime } from "../respond";
import { attrText } from "../task-attrs";

/**
 * `DELETE /procs/?name=…&status=…&attr.<key>=<value>` with an optional body `{ "message": "…" }`:
 * cancels every live task the list's filters select (and their live descendants), answering
 * `{ cancelled: [ids], refused: [ids] }` (refused: started with forbidCancel). Without a filter it
 * answers 400 and kills nothing: a bare DELETE on the list is a mistake, not a kill-all.
 */
export function killWhereRoute(manager: ProcessManager, config: AppConfig): Handler {
  return handle(async (req, res) => {
    const by = killRequester(req, config);
    checkQuery("killQuery", req.query);
    if (!Object.keys(req.query).some((key) => key === "name" || key === "status" || key.startsWith("attr."))) {
      throw new HttpError(400, "DELETE /procs/ needs a filter (name, status or attr.<key>), as in DELETE /procs/?name=GET%20/report; to cancel one task, DELETE /procs/<id>");
    }
    const { message } = checkKillBody(await readJsonBody(req));
    const reason = message === "" ? undefined : message;
    const { cancelled, refused } = manager.killWhere(queryFilter(req.query), reason, by, attrText);
    let json = `{"cancelled":${JSON.stringify(cancelled)},"refused":${JSON.stringify(refused)}`;
    if (reason !== undefined) json += `,"message":${JSON.stringify(reason)}`;
    sendJsonText(res, 200, json + `,"serverTime":"${serverTime()}"}`);
  });
}
