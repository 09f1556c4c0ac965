import { attrText } from "../client/filter";
import type { Query } from "../http/inputs/checks";
import type { WireProc } from "../wire/shapes";
import type { FleetReader } from "./reader";

/**
 * The live tasks of every up instance, parsed (the filtered path, and the command line's).
 * A value that is not JSON (written by something else than proclist) is skipped.
 */
export async function readProcs(reader: FleetReader, query: Query = {}): Promise<WireProc[]> {
  const up = (await reader.instances()).filter((i) => i.state === "up").map((i) => i.instance);
  const names = asSet(query.name);
  const statuses = asSet(query.status);
  const attrs: [string, Set<string>][] = [];
  for (const key of Object.keys(query)) if (key.startsWith("attr.")) attrs.push([key.slice(5), asSet(query[key])!]);
  const out: WireProc[] = [];
  await reader.eachList(up, (_instance, values) => {
    for (const value of values) {
      let proc: WireProc;
      try {
        proc = JSON.parse(value.toString("utf8")) as WireProc;
      } catch {
        continue;
      }
      if (names !== undefined && !names.has(proc.name ?? "")) continue;
      if (statuses !== undefined && !statuses.has(proc.status)) continue;
      if (!attrs.every(([key, wanted]) => proc.attrs !== undefined && Object.hasOwn(proc.attrs, key) && wanted.has(attrText(proc.attrs[key])))) continue;
      out.push(proc);
    }
  });
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
