import type { FilteredLists } from "../filtered-lists";
import { handle, type Handler } from "../handler";
import { checkQuery } from "../inputs";
import { sendPaced } from "../paced-body";
import { listTail, type ProcListCache } from "../proc-list";
import { serverTime } from "../respond";

/**
 * `GET /procs/`: the live tasks, oldest first, as the original's `{ procs, serverTime }`.
 * Without a query the body comes from the block cache; a filtered or sorted list from its own.
 */
export function listRoute(cache: ProcListCache, filtered: FilteredLists): Handler {
  return handle((req, res) => {
    if (req.search === null || req.search === "?") return sendPaced(res, cache.current(), listTail(serverTime()));
    checkQuery("listQuery", req.query);
    sendPaced(res, filtered.body(req.query), listTail(serverTime()));
  });
}
