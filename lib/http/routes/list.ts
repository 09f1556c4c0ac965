import { filterTasks } from "../filters";
import { handle, type Handler } from "../handler";
import { checkQuery } from "../inputs";
import { listTail, procListHead, type ProcListCache } from "../proc-list";
import type { ProcessManager } from "../../core/manager";
import { sendJsonParts, serverTime } from "../respond";

/**
 * `GET /procs/`: the live tasks, oldest first, as the original's `{ procs, serverTime }`.
 * Without a query the body comes from the cache; filters take the slower path.
 */
export function listRoute(manager: ProcessManager, cache: ProcListCache): Handler {
  return handle((req, res) => {
    if (req.search === null || req.search === "?") return sendJsonParts(res, cache.current(), listTail(serverTime()));
    checkQuery("listQuery", req.query);
    sendJsonParts(res, procListHead(filterTasks(manager.tasks(), req.query)), listTail(serverTime()));
  });
}
