/** What was attempted: a kill of one task, a forced kill, or a kill by filter. */
export type AuditAction = "kill" | "force" | "kill-where";

/** How it ended: the kill was accepted, refused (rights, protected mode, token, forbidCancel), or failed (no such task, bad input). */
export type AuditOutcome = "cancelled" | "refused" | "failed";

/**
 * One audit entry: when, who, what, with which message, and how it ended. Written as one JSON
 * object (a line of the file sink, a field of the Redis stream, an element of `GET /audit`).
 */
export interface AuditEntry {
  /** RFC 3339 UTC, microseconds. */
  ts: string;
  action: AuditAction;
  /** Who asked, as recorded with the kill (`killedBy`): `alice@10.0.0.7`, `cli:alice@host`, `ops@fleet-api`. */
  by: string;
  /** The label of the token used, when the server has tokens. */
  token?: string;
  /** The peer's address, as the server saw it. */
  peer?: string;
  /** kill, force: the task's id (`<instance>/<id>` through a fleet). */
  id?: string;
  /** The task's name, when known. */
  name?: string;
  /** kill-where: the filter, as the query's parameters. */
  filter?: Record<string, string | string[]>;
  /** kill-where: the ids it cancelled and refused. */
  cancelled?: string[];
  refused?: string[];
  message?: string;
  /** A forced kill: the steps it took. */
  rungs?: unknown[];
  outcome: AuditOutcome;
  /** The HTTP status answered. */
  status: number;
  /** Why it was refused or failed. */
  error?: string;
}

/** Ids listed per entry at most; past it the list is cut (the answer to the caller has them all). */
export const MAX_AUDIT_IDS = 1_000;

/**
 * Characters of a filter's keys and values kept per entry. A refused kill by filter is recorded
 * whoever sent it, token or not, so without a bound any peer could make each entry as long as a
 * request line (16 KiB) and a fleet's stream of 100,000 entries 1.6 GB.
 */
export const MAX_AUDIT_FILTER_CHARS = 1_024;

/**
 * An entry bounded for storage: id lists cut to MAX_AUDIT_IDS, with the count of the rest; a
 * filter's keys and values cut to MAX_AUDIT_FILTER_CHARS in all (values cut end in `…`; keys left
 * out are counted under the key `…`).
 */
export function boundEntry(entry: AuditEntry): AuditEntry & { omitted?: number } {
  let omitted = 0;
  const cut = (ids: string[] | undefined) => {
    if (ids === undefined || ids.length <= MAX_AUDIT_IDS) return ids;
    omitted += ids.length - MAX_AUDIT_IDS;
    return ids.slice(0, MAX_AUDIT_IDS);
  };
  const bounded: AuditEntry & { omitted?: number } = { ...entry };
  if (entry.cancelled !== undefined) bounded.cancelled = cut(entry.cancelled);
  if (entry.refused !== undefined) bounded.refused = cut(entry.refused);
  if (omitted > 0) bounded.omitted = omitted;
  if (entry.filter !== undefined) bounded.filter = boundFilter(entry.filter);
  return bounded;
}

function boundFilter(filter: Record<string, string | string[]>): Record<string, string | string[]> {
  let budget = MAX_AUDIT_FILTER_CHARS;
  const take = (text: string): string => {
    const kept = text.length <= budget ? text : text.slice(0, Math.max(0, budget - 1)) + "…";
    budget -= Math.min(text.length, budget);
    return kept;
  };
  // No prototype: a query's `__proto__` key stays a key (as the query parser keeps it).
  const out = Object.create(null) as Record<string, string | string[]>;
  let left = 0;
  for (const key of Object.keys(filter)) {
    if (budget <= 0) {
      left++;
      continue;
    }
    const value = filter[key];
    const name = take(key);
    if (!Array.isArray(value)) {
      out[name] = take(String(value));
      continue;
    }
    const values: string[] = [];
    for (const item of value) if (budget > 0) values.push(take(String(item)));
    out[name] = values;
  }
  if (left > 0) out["…"] = `${left} more`;
  return out;
}
