import type { FilteredLists } from "../lists/filtered";
import { handle, type ApiRequest, type Handler } from "../responses/handler";
import { checkQuery } from "../inputs/checks";
import type { ListGate } from "../lists/gate";
import { answerWith } from "../lists/send";
import { listTail, type ProcListCache } from "../lists/live";
import { serverTime } from "../responses/respond";

/** The caches one kind of list answer is made from: the plain list's and the filtered lists'. */
export interface ListCaches {
  cache: ProcListCache;
  filtered: FilteredLists;
}

/**
 * `GET /procs/`: the live tasks, oldest first, as the original's `{ procs, serverTime }`.
 * Without a query the body comes from the block cache; a filtered or sorted list from its own,
 * admitted by `gate` (503 past `maxListQueries` at once). `listsFor` picks the caches for the
 * request (the original's clients get attribute values as strings).
 */
export function listRoute(listsFor: (req: ApiRequest) => ListCaches, gate: ListGate): Handler {
  const tail = () => listTail(serverTime());
  return handle((req, res) => {
    const { cache, filtered } = listsFor(req);
    if (req.search === null || req.search === "?") return cache.current(answerWith(res, tail));
    checkQuery("listQuery", req.query);
    gate.admit(res);
    filtered.body(req.query, answerWith(res, tail));
  });
}
