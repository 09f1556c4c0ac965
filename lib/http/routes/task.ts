import type { ProcessManager } from "../../core/manager";
import { TaskNotFoundError } from "../../core/errors";
import type { Task } from "../../core/task";
import { handle, type ApiRequest, type Handler } from "../responses/handler";
import { checkQuery, decodeId } from "../inputs/checks";
import { anyProcJson, anyProcJsonWithStringAttrs } from "../lists/entries";
import { sendJsonText, serverTime } from "../responses/respond";

/**
 * `GET /procs/:id`: one task, live or kept finished, as `{ proc, running, serverTime }`;
 * with attribute values as strings for the requests `stringAttrs` picks.
 */
export function taskRoute(manager: ProcessManager, stringAttrs: (req: ApiRequest) => boolean): Handler {
  return handle((req, res) => {
    const id = decodeId(req.params.id);
    checkQuery("noQuery", req.query);
    const task = manager.get(id);
    if (task === undefined) throw new TaskNotFoundError(id);
    const json: (task: Task) => string = stringAttrs(req) ? anyProcJsonWithStringAttrs : anyProcJson;
    sendJsonText(res, 200, `{"proc":${json(task)},"running":${task.running},"serverTime":"${serverTime()}"}`);
  });
}
