import type { ServerResponse } from "node:http";
import type { AuditAction, AuditEntry } from "../../audit/entry";
import type { AuditLog } from "../../audit/log";
import type { HttpConfig } from "../options";
import { requester } from "../../core/killed-by";
import type { ApiRequest, Handler } from "../responses/handler";
import { handle } from "../responses/handler";
import { toHttpError } from "../responses/http-error";
import { formatTime } from "../responses/time";

/** What a kill route fills in of its audit entry as it goes (the rest is the wrapper's). */
export type AuditDraft = Partial<Pick<AuditEntry, "by" | "id" | "name" | "filter" | "cancelled" | "refused" | "message" | "rungs">> & {
  action?: AuditAction;
};

/** A kill route that writes its draft as it learns who, what and how. */
export type AuditedHandler = (req: ApiRequest, res: ServerResponse, draft: AuditDraft) => Promise<void>;

/**
 * Wraps a kill route so that every attempt, accepted or not, becomes one audit entry: who (the
 * route's `by`, else the peer and token label), what the route filled in, the status answered and,
 * for a refusal or failure, why. The entry is recorded after the answer is decided and never
 * changes it (AuditLog.record does not throw).
 */
export function audited(log: AuditLog, config: HttpConfig, action: AuditAction, route: AuditedHandler, byOf = defaultBy): Handler {
  return handle(async (req, res) => {
    const draft: AuditDraft = {};
    const ts = formatTime(performance.timeOrigin + performance.now());
    try {
      await route(req, res, draft);
      log.record(entryOf(req, config, ts, action, draft, byOf, 200));
    } catch (error) {
      const http = toHttpError(error);
      log.record({ ...entryOf(req, config, ts, action, draft, byOf, http.status), error: http.message });
      throw error;
    }
  });
}

/**
 * What the guard calls with a request it refused (token, protected mode, Host): a DELETE is a
 * refused kill (of one task, or by filter) and is recorded as such.
 */
export function auditRefusals(log: AuditLog, config: HttpConfig, byOf = defaultBy): (req: ApiRequest, error: unknown) => void {
  return (req, error) => {
    if (req.method !== "DELETE") return;
    const http = toHttpError(error);
    const byFilter = /^\/procs\/?$/.test(req.path);
    const draft: AuditDraft = byFilter ? { filter: req.query as Record<string, string | string[]> } : { id: lastSegment(req.path) };
    const ts = formatTime(performance.timeOrigin + performance.now());
    log.record({ ...entryOf(req, config, ts, byFilter ? "kill-where" : "kill", draft, byOf, http.status), error: http.message });
  };
}

/** The task id a refused DELETE named (its last path segment, decoded when it can be), bounded. */
function lastSegment(path: string): string {
  const segment = path
    .slice(path.lastIndexOf("/", path.length - 2) + 1)
    .replace(/\/$/, "")
    .slice(0, 300);
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function defaultBy(req: ApiRequest, config: HttpConfig): string {
  return requester(req.tokenLabel, config.peer(req));
}

function entryOf(
  req: ApiRequest,
  config: HttpConfig,
  ts: string,
  action: AuditAction,
  draft: AuditDraft,
  byOf: typeof defaultBy,
  status: number,
): AuditEntry {
  const { action: drafted, by, ...what } = draft;
  const outcome = status < 300 ? "cancelled" : status === 401 || status === 403 ? "refused" : "failed";
  const entry: AuditEntry = { ts, action: drafted ?? action, by: by ?? byOf(req, config), outcome, status };
  if (req.tokenLabel !== undefined && req.tokenLabel !== "") entry.token = req.tokenLabel;
  const peer = config.peer(req);
  if (peer !== undefined) entry.peer = peer;
  for (const [key, value] of Object.entries(what)) if (value !== undefined) (entry as unknown as Record<string, unknown>)[key] = value;
  return entry;
}
