import { attrText } from "../client/filter";
import type { Query } from "../http/inputs/checks";
import type { WireProc } from "../wire/shapes";
import { InstanceUnreachableError } from "./errors";
import type { FleetReader } from "./reader";
import { checkFleetProc, readStoredProc } from "./stored-proc";

/** A task of a fleet list; `gone` (when its instance went, or was last heard of) on a row read from Redis for an instance that did not answer. */
export type FleetProc = WireProc & { gone?: string };

/**
 * A filtered fleet list (`GET /procs/?name=&status=&attr.k=&waiting=&sort=&limit=`, and the
 * command line's): selected at the source. Every up instance is asked over its control channel
 * (`op: "list"`) and filters, sorts and cuts its own live tasks with the code of its HTTP list,
 * so only the matches cross Redis. An instance that cannot answer (gone, not listening, silent
 * past the timeout, or refusing) has its stored rows selected inside Redis instead (`storedMatches`),
 * each marked `gone` with the instance's last heartbeat: what it was running, not cancellable.
 * Every task, from an answer or from Redis, is checked (shape, instance, filter) before it is listed;
 * an instance some of whose tasks are left out is named in `skipped`.
 */
export async function readProcs(reader: FleetReader, query: Query = {}, skipped: FleetSkipped[] = []): Promise<FleetProc[]> {
  const known = await reader.instances();
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(query)) if (value !== undefined) fields[key] = value;
  const matches = matcherOf(query);
  const out: FleetProc[] = [];
  const fromRedis = known.filter((i) => i.state === "gone").map((i) => ({ instance: i.instance, since: i.since }));
  await Promise.all(
    known
      .filter((i) => i.state === "up")
      .map(async ({ instance, since }) => {
        let body: { procs?: unknown; omitted?: unknown } | undefined;
        try {
          const reply = await reader.ask(instance, "list", { query: fields });
          if (reply.status === 200 && typeof reply.body === "object" && reply.body !== null) body = reply.body as typeof body;
        } catch (error) {
          if (!(error instanceof InstanceUnreachableError)) throw error;
        }
        if (body === undefined || !Array.isArray(body.procs)) return fromRedis.push({ instance, since });
        for (const value of body.procs) {
          const proc = checkFleetProc(instance, value);
          if (proc === undefined || !matches(proc)) noteSkipped(reader, skipped, instance);
          else out.push(proc);
        }
        if (Number.isSafeInteger(body.omitted) && (body.omitted as number) > 0)
          skipped.push({
            instance,
            reason: `${body.omitted as number} matching tasks left out: its answer is bounded (narrow the filter or set limit)`,
          });
      }),
  );
  for (const { instance, since } of fromRedis) {
    const values = await reader.storedMatches(instance, query, (reason) => skipped.push({ instance, reason }));
    if (typeof values === "string") {
      skipped.push({ instance, reason: values });
      continue;
    }
    for (const value of values) {
      const proc = readStoredProc(instance, value);
      if (proc === undefined) noteSkipped(reader, skipped, instance);
      else if (matches(proc)) out.push({ ...proc, gone: since });
    }
  }
  // Oldest first, as one server lists them (RFC 3339 UTC times of one format sort as text).
  const sort = typeof query.sort === "string" ? query.sort : "procTime";
  const descending = sort.startsWith("-");
  const key = (descending ? sort.slice(1) : sort) as "procTime" | "statusTime" | "id" | "name" | "status" | "waiting";
  const sign = descending ? -1 : 1;
  const valueOf = (proc: FleetProc): string | number =>
    key === "waiting" ? (proc.waits?.[0] === undefined ? Infinity : Date.parse(proc.waits[0].since)) : (proc[key] ?? "");
  out.sort((a, b) => {
    const x = valueOf(a);
    const y = valueOf(b);
    return x < y ? -sign : x > y ? sign : 0;
  });
  if (typeof query.limit === "string") out.length = Math.min(out.length, Number(query.limit));
  return out;
}

/** The list query as a test of one wire task: name, status, `attr.<k>` (compared as text) and `waiting`. */
function matcherOf(query: Query): (proc: WireProc) => boolean {
  const names = asSet(query.name);
  const statuses = asSet(query.status);
  const kinds = asSet(query.waiting);
  const attrs: [string, Set<string>][] = [];
  for (const key of Object.keys(query)) if (key.startsWith("attr.")) attrs.push([key.slice(5), asSet(query[key])!]);
  return (proc) =>
    (names === undefined || names.has(proc.name ?? "")) &&
    (statuses === undefined || statuses.has(proc.status)) &&
    attrs.every(([key, wanted]) => proc.attrs !== undefined && Object.hasOwn(proc.attrs, key) && wanted.has(attrText(proc.attrs[key]))) &&
    (kinds === undefined || (proc.waits ?? []).some((wait) => kinds.has("*") || kinds.has(wait.kind)));
}

function asSet(value: string | string[] | undefined): Set<string> | undefined {
  return value === undefined ? undefined : new Set(typeof value === "string" ? [value] : value);
}

/** An instance some or all of whose tasks were left out of a fleet list, and why. */
export interface FleetSkipped {
  instance: string;
  reason: string;
}

/** Records (once per instance) that a value of its task list was not a task of it. */
export function noteSkipped(reader: FleetReader, skipped: FleetSkipped[], instance: string): void {
  if (skipped.some((s) => s.instance === instance)) return;
  const reason = "a value of its task list in Redis is not one of its tasks";
  reader.report(`a task of instance ${JSON.stringify(instance)}`, reason);
  skipped.push({ instance, reason });
}
