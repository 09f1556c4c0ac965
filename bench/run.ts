import { cpus, totalmem } from "node:os";
import { apiGroup } from "./groups/api";
import { awaitGroup } from "./groups/await-cost";
import { callsGroup } from "./groups/calls";
import { memoryGroup } from "./groups/memory";
import { serviceGroup } from "./groups/service";
import { renderTable, type Group, type Row } from "./report";

/**
 * `npm run bench` prints the results table; `-- --quick` runs every case briefly (what the spec
 * runs so the benchmarks cannot rot); `-- --only=calls,memory` picks groups; `-- --runs=N` sets
 * how many fresh processes each median is taken over.
 */
const GROUPS: Record<string, Group> = { calls: callsGroup, await: awaitGroup, memory: memoryGroup, service: serviceGroup, api: apiGroup };

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const only = args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
  const runsArg = args.find((a) => a.startsWith("--runs="));
  const runs = runsArg !== undefined ? Number(runsArg.slice(7)) : quick ? 1 : 5;
  const unknown = (only ?? []).filter((name) => !(name in GROUPS));
  if (unknown.length > 0 || !(runs >= 1)) {
    throw new TypeError(`usage: npm run bench -- [--quick] [--runs=N] [--only=${Object.keys(GROUPS).join(",")}]`);
  }
  const started = Date.now();
  const rows: Row[] = [];
  for (const [name, group] of Object.entries(GROUPS)) {
    if (only !== undefined && !only.includes(name)) continue;
    rows.push(...(await group({ quick, runs, log: (message) => process.stderr.write(`… ${message}\n`) })));
  }
  const command = `npm run bench${args.length > 0 ? " -- " + args.join(" ") : ""}`;
  console.log(`$ ${command}`);
  console.log(`Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${new Date().toISOString().slice(0, 10)}; medians over ${runs} fresh process${runs === 1 ? "" : "es"} per figure (${Math.min(runs, 3)} for the API under wrk); CPU time for per-call figures; ${Math.round((Date.now() - started) / 1000)} s`);
  console.log("");
  console.log(renderTable(rows));
}

main().catch((error) => {
  console.error(error instanceof TypeError ? error.message : error);
  process.exit(1);
});
