import type { FilteredLists } from "../lists/filtered";
import { handle, type Handler } from "../responses/handler";
import { checkQuery } from "../inputs/checks";
import type { ListGate } from "../lists/gate";
import { answerWith } from "../lists/send";
import { listTail, type ProcListCache } from "../lists/live";
import { serverTime } from "../responses/respond";

/**
 * `GET /procs/`: the live tasks, oldest first, as the original's `{ procs, serverTime }`.
 * Without a query the body comes from the block cache; a filtered or sorted list from its own,
 * admitted by `gate` (503 past `maxListQueries` at once).
 */
export function listRoute(cache: ProcListCache, filtered: FilteredLists, gate: ListGate): Handler {
  const tail = () => listTail(serverTime());
  return handle((req, res) => {
    if (req.search === null || req.search === "?") return cache.current(answerWith(res, tail));
    checkQuery("listQuery", req.query);
    gate.admit(res);
    filtered.body(req.query, answerWith(res, tail));
  });
}
