import { cpus, loadavg, totalmem } from "node:os";
import { apiGroup } from "./groups/api";
import { awaitGroup } from "./groups/await-cost";
import { callsGroup } from "./groups/calls";
import { exportGroup } from "./groups/export";
import { fleetGroup } from "./groups/fleet";
import { fleetReadsGroup } from "./groups/fleet-reads";
import { memoryGroup } from "./groups/memory";
import { piecesGroup } from "./groups/pieces";
import { requestsGroup } from "./groups/requests";
import { serviceGroup } from "./groups/service";
import { startupGroup } from "./groups/startup";
import { resolveNodes, type NodeBinary } from "./nodes";
import { renderMatrix, renderTable, type Column, type Group, type GroupContext, type Row } from "./report";
import { useNodeBinary } from "./spawn";

/**
 * `npm run bench` prints the results table; `-- --quick` runs every case briefly (what the spec
 * runs so the benchmarks cannot rot); `-- --only=calls,memory` picks groups; `-- --runs=N` sets
 * how many fresh processes each median is taken over; `-- --nodes=24,20,26` runs the groups under
 * each of those Node releases (a major version or a binary's path) and prints one column each.
 */
const GROUPS: Record<string, Group> = {
  calls: callsGroup,
  pieces: piecesGroup,
  await: awaitGroup,
  memory: memoryGroup,
  service: serviceGroup,
  requests: requestsGroup,
  api: apiGroup,
  startup: startupGroup,
  export: exportGroup,
  fleet: fleetGroup,
  "fleet-reads": fleetReadsGroup,
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const only = args
    .find((a) => a.startsWith("--only="))
    ?.slice(7)
    .split(",");
  const runsArg = args.find((a) => a.startsWith("--runs="));
  const runs = runsArg !== undefined ? Number(runsArg.slice(7)) : quick ? 1 : 5;
  const nodesArg = args
    .find((a) => a.startsWith("--nodes="))
    ?.slice(8)
    .split(",");
  const unknown = (only ?? []).filter((name) => !(name in GROUPS));
  if (unknown.length > 0 || !(runs >= 1) || nodesArg?.length === 0) {
    throw new TypeError(
      `usage: npm run bench -- [--quick] [--runs=N] [--only=${Object.keys(GROUPS).join(",")}] [--nodes=24,20,26|/path/to/node,…]`,
    );
  }
  const nodes: NodeBinary[] = nodesArg === undefined ? [{ path: process.execPath, version: process.version }] : resolveNodes(nodesArg);
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const context: GroupContext = { quick, runs, log: (message) => process.stderr.write(`… ${message}\n`) };
  const columns: Column[] = nodes.map((node) => ({ label: `Node ${node.version}`, rows: [] as Row[] }));
  for (const [name, group] of Object.entries(GROUPS)) {
    if (only !== undefined && !only.includes(name)) continue;
    for (const [i, node] of nodes.entries()) {
      useNodeBinary(node.path);
      if (nodes.length > 1) context.log(`${name} under Node ${node.version}`);
      (columns[i].rows as Row[]).push(...(await group(context)));
    }
  }
  const command = `npm run bench${args.length > 0 ? " -- " + args.join(" ") : ""}`;
  const load = `load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`;
  console.log(`$ ${command}`);
  console.log(
    `${nodes.map((n) => `Node ${n.version}`).join(", ")}; ${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${new Date().toISOString().slice(0, 10)}, ${load}; medians over ${runs} fresh process${runs === 1 ? "" : "es"} per figure (${Math.min(runs, 3)} for the API under wrk); CPU time for per-call figures; ${Math.round((Date.now() - started) / 1000)} s`,
  );
  console.log("");
  console.log(nodes.length === 1 ? renderTable(columns[0].rows) : renderMatrix(columns));
}

main().catch((error) => {
  console.error(error instanceof TypeError ? error.message : error);
  process.exit(1);
});
