import type { ProcessManager } from "../../core/manager";
import type { FilteredLists } from "../filtered-lists";
import { handle, type Handler } from "../handler";
import { checkQuery } from "../inputs";
import type { ListGate } from "../list-gate";
import { answerWith } from "../paced-body";
import { serverTime } from "../respond";

/** `GET /procs/finished`: the kept finished tasks, oldest first, with outcome, duration and who killed them, and the bound in force. */
export function finishedRoute(manager: ProcessManager, lists: FilteredLists, gate: ListGate): Handler {
  return handle((req, res) => {
    checkQuery("finishedQuery", req.query);
    gate.admit(res);
    lists.body(req.query, answerWith(res, () => `${serverTime()}","keepFinished":${manager.options.keepFinished}}`));
  });
}
