import { execFile } from "node:child_process";
import { join } from "node:path";
import { ProcessManager, serve } from "../../lib";
import { median } from "../harness";
import { fmt, verdict, type Group } from "../report";
import { nodeBinaryInUse } from "../spawn";

const MAIN = join(__dirname, "..", "..", "lib", "cli", "main.js");

/** Wall time of one fresh process, in ms; fails the bench when it exits non-zero. */
function timed(node: string, args: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    execFile(node, args, { env: { ...process.env, NO_COLOR: "1" } }, (error) => {
      if (error) reject(error);
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

/**
 * Start-up cost of the `proclist` command against Node's own floor, `node -e 0`, all under the
 * same Node binary (`--nodes=24` for the figures) and interleaved, one of each per round,
 * so that a change of load on the machine weighs on all three alike.
 */
export const startupGroup: Group = async ({ quick, runs, log }) => {
  const node = nodeBinaryInUse();
  const manager = new ProcessManager();
  const api = await serve({ port: 0, manager });
  const release = manager.run(() => new Promise<void>((resolve) => setTimeout(resolve, 60_000).unref()), {
    id: "bench-task",
    name: "GET /bench",
  });
  const rounds = quick ? 3 : Math.max(10, runs * 4);
  const floor: number[] = [];
  const help: number[] = [];
  const ls: number[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      if (round % 5 === 1) log(`start-up, round ${round}/${rounds}`);
      floor.push(await timed(node, ["-e", "0"]));
      help.push(await timed(node, [MAIN, "--help"]));
      ls.push(await timed(node, [MAIN, "ls", "-e", api.url]));
    }
  } finally {
    manager.kill("bench-task");
    await release.catch(() => undefined);
    await api.close();
  }
  const base = median(floor);
  const helpRatio = median(help) / base;
  const lsRatio = median(ls) / base;
  return [
    { figure: "`node -e 0`, wall time (ms)", measured: fmt(base, 1), reference: "", target: "", verdict: "" },
    {
      figure: "`proclist --help`, wall time (ms; × node -e 0)",
      measured: `${fmt(median(help), 1)} (${helpRatio.toFixed(2)}×)`,
      reference: "~450 ms of schema compiling before",
      target: "≤ 2×",
      verdict: verdict(helpRatio <= 2),
    },
    {
      figure: "`proclist ls` against a local server, wall time (ms; × node -e 0)",
      measured: `${fmt(median(ls), 1)} (${lsRatio.toFixed(2)}×)`,
      reference: "",
      target: "≤ 3×",
      verdict: verdict(lsRatio <= 3),
    },
  ];
};
