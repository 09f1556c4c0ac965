import type { ProcessManager } from "../../core/manager";
import type { FilteredLists } from "../lists/filtered";
import { handle, type ApiRequest, type Handler } from "../responses/handler";
import { checkQuery } from "../inputs/checks";
import type { ListGate } from "../lists/gate";
import { answerWith } from "../lists/send";
import { serverTime } from "../responses/respond";

/**
 * `GET /procs/finished`: the kept finished tasks, oldest first, with outcome, duration and who
 * killed them, and the bound in force. `listsFor` picks the lists for the request.
 */
export function finishedRoute(manager: ProcessManager, listsFor: (req: ApiRequest) => FilteredLists, gate: ListGate): Handler {
  return handle((req, res) => {
    checkQuery("finishedQuery", req.query);
    gate.admit(res);
    listsFor(req).body(
      req.query,
      answerWith(res, () => `${serverTime()}","keepFinished":${manager.options.keepFinished}}`),
    );
  });
}
