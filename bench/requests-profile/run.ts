// Where a tracked request's CPU goes, by function (npm run build first):
//   node dist/bench/requests-profile/run.js [--variant=proclist] [--seconds=5] [--node=24] [--top=25] [--all]
// Starts the requests bench's node:http hello server (bench/servers/http-hello.ts; variant bare,
// proclist, otel, or polka-*) under `--cpu-prof`, loads it with wrk (16 connections) for the given
// seconds, and prints from the profile: the samples in the server, the share under any proclist
// frame (dist/lib/, inclusive), and proclist's functions by self time with their share of all
// samples (every function's with --all). Run it on two builds (say before and after a change) to compare the tracking path.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { wrk } from "../load";
import { resolveNodes } from "../nodes";

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

const DIST = join(__dirname, "..", "..");
const LIB = join(DIST, "lib");

async function main(): Promise<void> {
  const variant = arg("variant", "proclist");
  const seconds = Number(arg("seconds", "5"));
  const top = Number(arg("top", "25"));
  const onlyLib = !process.argv.includes("--all");
  const node = resolveNodes([arg("node", process.versions.node.split(".")[0]!)])[0]!;
  const dir = mkdtempSync(join(tmpdir(), "proclist-reqprof-"));
  const server = spawn(
    node.path,
    [
      "--cpu-prof",
      `--cpu-prof-dir=${dir}`,
      "-e",
      `require(${JSON.stringify(join(DIST, "bench", "servers", "http-hello.js"))}).start({ variant: ${JSON.stringify(variant)} })` +
        `.then((f) => { console.log(f.port); process.once("SIGTERM", () => process.exit(0)); })`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    server.stdout!.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim())));
    server.once("exit", (code) => reject(new Error(`server exited ${code}`)));
  });
  const url = `http://127.0.0.1:${port}/hello/ana`;
  await wrk(url, 16, 1);
  const result = await wrk(url, 16, seconds);
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGTERM");
  await exited;
  const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
  if (file === undefined) throw new Error(`no profile written in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const inLib = (n: ProfileNode) => n.callFrame.url.includes(LIB) || n.callFrame.url.startsWith(`file://${LIB}`);
  const underLib = new Map<number, boolean>();
  const isUnderLib = (id: number): boolean => {
    const known = underLib.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id)!;
    const p = parent.get(id);
    const answer = inLib(n) || (p !== undefined && isUnderLib(p));
    underLib.set(id, answer);
    return answer;
  };
  const idle = new Set(["(idle)", "(program)", "(garbage collector)"]);
  let busy = 0;
  let tracked = 0;
  let ownSelf = 0;
  const self = new Map<string, number>();
  for (const id of profile.samples) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === "(idle)") continue;
    busy++;
    if (isUnderLib(id)) tracked++;
    if (inLib(n)) ownSelf++;
    if (onlyLib && !inLib(n) && !idle.has(n.callFrame.functionName)) continue;
    const path = n.callFrame.url.replace(/^file:\/\//, "");
    const where = path === "" ? "" : `${path.startsWith(DIST) ? relative(DIST, path) : path}:${n.callFrame.lineNumber + 1}`;
    const key = `${n.callFrame.functionName || "(anonymous)"}${where ? ` ${where}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const git = (() => {
    try {
      return execFileSync("git", ["-C", DIST, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    } catch {
      return "?";
    }
  })();
  const pct = (x: number) => `${((x / busy) * 100).toFixed(1)} %`;
  console.log(
    `# ${variant} hello server, Node ${node.version}, build at ${git}, ${seconds} s of wrk (16 connections): ${result.rps.toFixed(0)} req/s`,
  );
  console.log(
    `\nbusy samples ${busy}; in proclist's own functions (self) ${pct(ownSelf)}; under any proclist frame (inclusive, the app's handler included when proclist calls it) ${pct(tracked)}\n`,
  );
  console.log(`| function (${onlyLib ? "proclist's, and the VM's own" : "all"}) | self share of busy samples |\n|---|---|`);
  for (const [key, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`| ${key} | ${pct(count)} |`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
