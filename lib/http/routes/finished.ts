import type { ProcessManager } from "../../core/manager";
import { filterTasks } from "../filters";
import { handle, type Handler } from "../handler";
import { checkQuery } from "../inputs";
import { finishedJson } from "../proc-json";
import { sendJsonText, serverTime } from "../respond";

/** `GET /procs/finished`: the kept finished tasks, oldest first, with outcome, duration and who killed them. */
export function finishedRoute(manager: ProcessManager): Handler {
  return handle((req, res) => {
    checkQuery("finishedQuery", req.query);
    const tasks = req.search === null ? manager.finishedTasks() : filterTasks(manager.finishedTasks(), req.query);
    sendJsonText(res, 200, `{"finished":[${tasks.map(finishedJson).join(",")}],"serverTime":"${serverTime()}","keepFinished":${manager.options.keepFinished}}`);
  });
}
