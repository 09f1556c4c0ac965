import { expect } from "chai";
import { execFile } from "node:child_process";
import { join } from "node:path";

/**
 * Keeps the soak benchmark from rotting: `--quick` runs 30 s of hostile traffic and must print
 * every figure of every row. Speeds and sizes are never asserted here, only that each was measured.
 */
describe("npm run soak -- --quick", function () {
  this.timeout(180_000);

  it("measures heap after GC, live tasks, 5xx and event-loop p99 every 3 s, then once settled", async () => {
    const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>((resolve) => {
      execFile(process.execPath, [join(__dirname, "../../bench/soak/run.js"), "--quick"], { maxBuffer: 1 << 22 }, (error, stdout) =>
        resolve({ stdout, code: error === null ? 0 : ((error as { code?: number }).code ?? null) }),
      );
    });
    expect(code, stdout).to.equal(0);
    expect(stdout).to.match(/^\$ npm run soak -- --quick$/m);
    const lines = stdout.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| at") && !line.startsWith("| ---"));
    const rows = lines.map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
    expect(rows.length, stdout).to.be.at.least(10);
    expect(rows.at(-1)![0]).to.equal("settled");
    for (const cells of rows) {
      expect(cells, stdout).to.have.length(7);
      for (const cell of cells.slice(1)) expect(cell, cells.join(" | ")).to.match(/^\d+(\.\d+)?$/);
    }
    expect(Number(rows.at(-1)![6]), "requests").to.be.above(0);
  });
});
