import type { Query } from "../http/inputs/checks";
import { MAX_ROW_BYTES } from "./bounds";

/**
 * Selects, inside Redis, the values of one page of an instance's task hash that may match a
 * filter: one HSCAN call from the cursor ARGV[1] (COUNT ARGV[2]), so one call holds Redis for a
 * page's length, never a whole list's; answers {next cursor, fields scanned, values…}, the values
 * that hold, for
 * every group of the rest of ARGV, at least one of its texts (plain substring search). ARGV[3]:
 * the number of groups, then per group its count and its texts. Used for the instances that
 * cannot answer for themselves (gone, silent): only candidates cross the network, and the caller
 * checks each one exactly, so the texts only need to be a superset. A value longer than any
 * instance writes (MAX_ROW_BYTES) is answered as an empty one: not a task, it is named as skipped
 * without crossing the network.
 */
export const SELECT_STORED = `
local groups = {}
local n = tonumber(ARGV[3])
local at = 4
for g = 1, n do
  local count = tonumber(ARGV[at])
  local texts = {}
  for j = 1, count do texts[j] = ARGV[at + j] end
  groups[g] = texts
  at = at + count + 1
end
local page = redis.call('HSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
local items = page[2]
local out = {page[1], #items / 2}
for k = 2, #items, 2 do
  local value = items[k]
  local ok = true
  if #value > ${MAX_ROW_BYTES} then
    value = ''
  else
    for g = 1, n do
      local any = false
      for _, text in ipairs(groups[g]) do
        if string.find(value, text, 1, true) then any = true break end
      end
      if not any then ok = false break end
    end
  end
  if ok then out[#out + 1] = value end
end
return out`;

/**
 * The ARGV of SELECT_STORED for a (validated) list query. A stored row is the wire's JSON made
 * with JSON.stringify for names, statuses, attribute keys and string values, and a non-string
 * value as its JSON text (`fleetProcJson`, `attrValueJson`), which is the text the filter compares:
 * so a row that matches `name=n` holds `"name":<n as JSON>`, one with status s holds
 * `"status":<s as JSON>`, and one whose attribute k reads as text v holds `<k as JSON>:<v as JSON>`
 * (a string) or `<k as JSON>:v` (any other value). `waiting` is checked by the caller only.
 */
export function storedSelectArgs(query: Query): string[] {
  const groups: string[][] = [];
  const values = (value: string | string[]) => (typeof value === "string" ? [value] : value);
  if (query.name !== undefined) groups.push(values(query.name).map((name) => `"name":${JSON.stringify(name)}`));
  if (query.status !== undefined) groups.push(values(query.status).map((status) => `"status":${JSON.stringify(status)}`));
  for (const [key, wanted] of Object.entries(query)) {
    if (!key.startsWith("attr.") || wanted === undefined) continue;
    const name = JSON.stringify(key.slice(5));
    groups.push(values(wanted).flatMap((text) => [`${name}:${JSON.stringify(text)}`, `${name}:${text}`]));
  }
  return [String(groups.length), ...groups.flatMap((texts) => [String(texts.length), ...texts])];
}
