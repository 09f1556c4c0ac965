// The CPU-profile and event-loop targets, measured in fresh processes (npm run build first):
//   node dist/bench/profile/run.js [--rounds=3] [--nodes=20,24,26]
// split: the shares of two tasks doing 30/70 of the work over a 10 s profile, per Node release;
// cost: req/s of a tracked HTTP service without and with a profile running, alternating;
// watch: req/s with the event-loop watch's timer on and off, alternating;
// block: how long after a 2 s block its task's history names it.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import autocannon from "autocannon";
import { resolveNodes } from "../nodes";

const CHILD = join(__dirname, "child.js");
const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const rounds = Number(arg("rounds", "3"));
const nodes = arg("nodes", "20,24,26").split(",");

/** The binary of a `--nodes=` entry, found as every bench finds it (bench/nodes.ts). */
function binary(major: string): string {
  return resolveNodes([major])[0]!.path;
}

function start(node: string, args: string[]): { child: ChildProcess; line: Promise<string> } {
  const child = spawn(node, [CHILD, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const line = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const i = out.indexOf("\n");
      if (i >= 0) resolve(out.slice(0, i));
    });
    child.once("exit", (code) => reject(new Error(`child exited ${code}`)));
  });
  return { child, line };
}

async function reqs(port: number, seconds: number): Promise<number> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: 16, duration: seconds });
  return result.requests.average;
}

const pct = (x: number) => (x * 100).toFixed(1);
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

async function main(): Promise<void> {
  console.log(
    `# CPU profile and event-loop targets (${new Date().toISOString()}, load average ${require("node:os")
      .loadavg()
      .map((l: number) => l.toFixed(1))
      .join(" ")})`,
  );
  console.log(
    "\n## 30/70 split over a 10 s profile (target: within ±5 points)\n\n| node | round | thirty % | seventy % | outside % | samples | start stall ms | stop stall ms | steady max lag ms |\n|---|---|---|---|---|---|---|---|---|",
  );
  for (let round = 1; round <= rounds; round++) {
    for (const major of nodes) {
      const { child, line } = start(binary(major), ["split", "10"]);
      const r = JSON.parse(await line);
      child.kill();
      console.log(
        `| ${major} | ${round} | ${pct(r.thirty)} | ${pct(r.seventy)} | ${pct(r.outside)} | ${r.samples} | ${r.startLagMs.toFixed(1)} | ${r.stopLagMs.toFixed(1)} | ${r.steadyMaxLagMs.toFixed(1)} |`,
      );
    }
  }

  console.log("\n## req/s of a tracked HTTP service, 16 connections, 5 s windows alternating (target: ≤ 2 % less while profiling)\n");
  const { child: server, line } = start(process.execPath, ["serve"]);
  const { port, api } = JSON.parse(await line);
  await reqs(port, 2);
  const off: number[] = [];
  const on: number[] = [];
  for (let round = 0; round < rounds * 2; round++) {
    off.push(await reqs(port, 5));
    const profiling = fetch(`http://127.0.0.1:${api}/procs/profile?seconds=7`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    on.push(await reqs(port, 5));
    await profiling;
  }
  server.kill();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `| | req/s mean | spread |\n|---|---|---|\n| no profile | ${mean(off).toFixed(0)} | ${spread(off)} |\n| profile running | ${mean(on).toFixed(0)} | ${spread(on)} |\n| change | ${(((mean(on) - mean(off)) / mean(off)) * 100).toFixed(1)} % | |`,
  );

  console.log("\n## req/s with the event-loop watch's timer on and off, separate processes, alternating (target: ≤ 1 %)\n");
  const watch: Record<string, number[]> = { on: [], off: [] };
  for (let round = 0; round < rounds * 2; round++) {
    for (const mode of ["on", "off"]) {
      const { child, line } = start(process.execPath, mode === "on" ? ["serve"] : ["serve", "nowatch"]);
      const { port } = JSON.parse(await line);
      await reqs(port, 1);
      watch[mode].push(await reqs(port, 5));
      child.kill();
    }
  }
  console.log(
    `| timer | req/s mean | spread |\n|---|---|---|\n| on | ${mean(watch.on).toFixed(0)} | ${spread(watch.on)} |\n| off | ${mean(watch.off).toFixed(0)} | ${spread(watch.off)} |\n| change | ${(((mean(watch.on) - mean(watch.off)) / mean(watch.off)) * 100).toFixed(1)} % | |`,
  );

  console.log(
    "\n## a 2 s block in a tracked method, named on its history after it ends (target: ≤ 1 s)\n\n| node | ms after the block |\n|---|---|",
  );
  for (const major of nodes) {
    const { child, line } = start(binary(major), ["block"]);
    console.log(`| ${major} | ${JSON.parse(await line).namedAfterMs.toFixed(1)} |`);
    child.kill();
  }
}

void main();
