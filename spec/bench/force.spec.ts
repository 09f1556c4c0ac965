import { expect } from "chai";
import { execFile } from "node:child_process";
import { join } from "node:path";

/** Keeps bench/force from rotting: a short run must measure both rungs. Speeds are never asserted. */
describe("the forced-kill bench (bench/force)", function () {
  this.timeout(300_000);

  it("measures the request and the worker rung and prints p50/p99 for each", async () => {
    const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>((resolve) => {
      execFile(process.execPath, [join(__dirname, "../../bench/force/run.js"), "--rounds=8", "--grace=10"], (error, stdout, stderr) =>
        resolve({ stdout: stdout + stderr, code: error === null ? 0 : ((error as { code?: number }).code ?? null) }),
      );
    });
    expect(code, stdout).to.equal(0);
    for (const rung of ["request: client sees its connection closed", "worker: the worker thread has exited"]) {
      const row = stdout.split("\n").find((line) => line.startsWith(`| ${rung} |`));
      expect(row, stdout).to.be.a("string");
      const [, , kills, p50, p99] = row!.split("|").map((cell) => cell.trim());
      expect(Number(kills), row).to.be.greaterThan(0);
      expect(p50, row).to.match(/^-?\d+\.\d\d$/);
      expect(p99, row).to.match(/^-?\d+\.\d\d$/);
    }
  });
});
