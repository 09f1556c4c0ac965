import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A wrk script that floods `/procs/` with the filtered and sorted queries an attacker (or a
 * dashboard gone wrong) would send: whole-list sorts, sorts with a random limit, attribute filters
 * with random values (over the 1 KiB object attribute too), several filters at once. Random
 * values defeat any per-query cache, so each such request filters the whole list.
 */
const SCRIPT = `
local n = 0
request = function()
  n = n + 1
  local k = n % 6
  local path
  if k == 0 then path = "/procs/?sort=-statusTime"
  elseif k == 1 then path = "/procs/?sort=id&limit=" .. math.random(1, 10000)
  elseif k == 2 then path = "/procs/?attr.payload=%7B%22order%22%3A" .. math.random(1, 1000000000) .. "%7D"
  elseif k == 3 then path = "/procs/?attr.uri=%2Forders%2F" .. math.random(100000, 110000) .. "%3Fexpand%3Ditems&sort=-procTime"
  elseif k == 4 then path = "/procs/?status=rendering&status=" .. math.random(1, 1000000000) .. "&sort=status&limit=" .. math.random(1, 100)
  else path = "/procs/?name=GET%20%2Forders%2F%3Aid&attr.method=GET&attr.host=" .. math.random(1, 1000000000) end
  return wrk.format("GET", path)
end
`;

/** Writes the script to a temporary file and returns its path, for `wrk -s`. */
export function hostileQueries(): string {
  const path = join(tmpdir(), `proclist-hostile-queries-${process.pid}.lua`);
  writeFileSync(path, SCRIPT);
  return path;
}
