import type { ProcessManager } from "../../core/manager";
import { TaskNotFoundError } from "../../core/errors";
import { handle, type Handler } from "../responses/handler";
import { checkQuery, decodeId } from "../inputs/checks";
import { anyProcJson } from "../lists/entries";
import { sendJsonText, serverTime } from "../responses/respond";

/** `GET /procs/:id`: one task, live or kept finished, as `{ proc, running, serverTime }`. */
export function taskRoute(manager: ProcessManager): Handler {
  return handle((req, res) => {
    const id = decodeId(req.params.id);
    checkQuery("noQuery", req.query);
    const task = manager.get(id);
    if (task === undefined) throw new TaskNotFoundError(id);
    sendJsonText(res, 200, `{"proc":${anyProcJson(task)},"running":${task.running},"serverTime":"${serverTime()}"}`);
  });
}
