import type { AuditLog, AuditQuery } from "../../audit/log";
import { checkQuery, type Query } from "../inputs/checks";
import { handle, type Handler } from "../responses/handler";
import { HttpError } from "../responses/http-error";
import { sendJsonText, serverTime } from "../responses/respond";

/**
 * `GET /audit`: the audit entries, newest first: `?since=` (RFC 3339 or epoch ms) keeps those at or
 * after it, `?limit=` (default 100, at most 10,000) bounds the count. `{ entries, serverTime }`.
 */
export function auditRoute(log: AuditLog): Handler {
  return handle(async (req, res) => {
    const entries = await log.list(auditQuery(req.query));
    sendJsonText(res, 200, `{"entries":${JSON.stringify(entries)},"serverTime":"${serverTime()}"}`);
  });
}

/** The query of `GET /audit`, checked: a 400 naming what is wrong. */
export function auditQuery(query: Query): AuditQuery {
  checkQuery("auditQuery", query);
  const out: AuditQuery = {};
  if (typeof query.since === "string") {
    const since = /^\d+$/.test(query.since) ? Number(query.since) : Date.parse(query.since);
    if (!Number.isFinite(since))
      throw new HttpError(
        400,
        `invalid query parameter "since": ${JSON.stringify(query.since)} is neither an RFC 3339 time nor epoch milliseconds`,
      );
    out.since = since;
  }
  if (typeof query.limit === "string") {
    const limit = Number(query.limit);
    if (limit < 1 || limit > 10_000) throw new HttpError(400, `invalid query parameter "limit": ${limit} is not from 1 to 10000`);
    out.limit = limit;
  }
  return out;
}
