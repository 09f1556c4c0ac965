import type { FilteredLists } from "../filtered-lists";
import { handle, type Handler } from "../handler";
import { checkQuery } from "../inputs";
import type { ListGate } from "../list-gate";
import { answerWith } from "../paced-body";
import { listTail, type ProcListCache } from "../proc-list";
import { serverTime } from "../respond";

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
