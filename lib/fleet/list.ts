import { attrText } from "../client/filter";
import type { Query } from "../http/inputs/checks";
import type { WireProc } from "../wire/shapes";
import type { FleetReader } from "./reader";
import { readStoredProc } from "./stored-proc";

/**
 * The live tasks of every up instance, parsed (the filtered path, and the command line's).
 * A value that is not a task of its instance (written by something else than proclist) is
 * skipped, and so is an instance whose list Redis refuses: each is named in `skipped`.
 */
export async function readProcs(reader: FleetReader, query: Query = {}, skipped: FleetSkipped[] = []): Promise<WireProc[]> {
  const up = (await reader.instances()).filter((i) => i.state === "up").map((i) => i.instance);
  const names = asSet(query.name);
  const statuses = asSet(query.status);
  const attrs: [string, Set<string>][] = [];
  for (const key of Object.keys(query)) if (key.startsWith("attr.")) attrs.push([key.slice(5), asSet(query[key])!]);
  const out: WireProc[] = [];
  await reader.eachList(
    up,
    (instance, values) => {
      for (const value of values) {
        const proc = readStoredProc(instance, value);
        if (proc === undefined) {
          noteSkipped(reader, skipped, instance);
          continue;
        }
        if (names !== undefined && !names.has(proc.name ?? "")) continue;
        if (statuses !== undefined && !statuses.has(proc.status)) continue;
        if (
          !attrs.every(
            ([key, wanted]) => proc.attrs !== undefined && Object.hasOwn(proc.attrs, key) && wanted.has(attrText(proc.attrs[key])),
          )
        )
          continue;
        out.push(proc);
      }
    },
    (instance, reason) => skipped.push({ instance, reason }),
  );
  // Oldest first, as one server lists them (RFC 3339 UTC times of one format sort as text).
  const sort = typeof query.sort === "string" ? query.sort : "procTime";
  const descending = sort.startsWith("-");
  const key = (descending ? sort.slice(1) : sort) as "procTime" | "statusTime" | "id" | "name" | "status";
  const sign = descending ? -1 : 1;
  out.sort((a, b) => {
    const x = a[key] ?? "";
    const y = b[key] ?? "";
    return x < y ? -sign : x > y ? sign : 0;
  });
  if (typeof query.limit === "string") out.length = Math.min(out.length, Number(query.limit));
  return out;
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
