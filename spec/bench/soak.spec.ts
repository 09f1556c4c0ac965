import { expect } from "chai";
import { execFile } from "node:child_process";
import { join } from "node:path";

/**
 * Keeps the soak benchmark from rotting: `--quick` runs 30 s of hostile traffic and must print
 * every figure of every row. Speeds and sizes are never asserted here, only that each was measured;
 * the fleet leg's counts of what must never happen (wrong kills, other 5xx, tasks left live) are.
 */
describe("npm run soak -- --quick", function () {
  this.timeout(300_000);

  it("measures heap after GC, live tasks, 5xx and event-loop p99 every 3 s, then once settled; then the fleet leg's, with no wrong kill and no task left live", async () => {
    const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>((resolve) => {
      execFile(process.execPath, [join(__dirname, "../../bench/soak/run.js"), "--quick"], { maxBuffer: 1 << 22 }, (error, stdout) =>
        resolve({ stdout, code: error === null ? 0 : ((error as { code?: number }).code ?? null) }),
      );
    });
    expect(code, stdout).to.equal(0);
    expect(stdout).to.match(/^\$ npm run soak -- --quick$/m);
    const [single, fleet] = stdout.split(/^Fleet leg: /m);
    expect(fleet, stdout).to.be.a("string");
    const rows = tableRows(single);
    expect(rows.length, stdout).to.be.at.least(10);
    expect(rows.at(-1)![0]).to.equal("settled");
    for (const cells of rows) {
      expect(cells, stdout).to.have.length(7);
      for (const cell of cells.slice(1)) expect(cell, cells.join(" | ")).to.match(/^\d+(\.\d+)?$/);
    }
    expect(Number(rows.at(-1)![6]), "requests").to.be.above(0);

    // The fleet leg: every figure of every row (the fleet's list may not answer while Redis is
    // frozen: "-"), then what must hold whatever the speed: no wrong kill, no 5xx but the
    // documented 502/503/504, no task left live once settled, and every disruption carried out.
    const fleetRows = tableRows(fleet);
    expect(fleetRows.length, fleet).to.be.at.least(10);
    const settled = fleetRows.at(-1)!;
    expect(settled[0]).to.equal("settled");
    for (const cells of fleetRows) {
      expect(cells, fleet).to.have.length(14);
      cells.slice(1).forEach((cell, i) => expect(cell, cells.join(" | ")).to.match(i === 5 ? /^(\d+|-)$/ : /^\d+(\.\d+)?$/));
    }
    const [, , , , , live, listed, killed, wrong, , , , other5xx, requests] = settled.map(Number);
    expect({ live, listed, wrong, other5xx }, fleet).to.deep.equal({ live: 0, listed: 0, wrong: 0, other5xx: 0 });
    expect(killed, "kills carried out").to.be.above(0);
    expect(requests, "requests").to.be.above(0);
    expect(fleet).to.match(
      /^disruptions: Redis frozen at [\d.]+ s; thawed at [\d.]+ s; Redis restarted empty at [\d.]+ s; b SIGKILLed at [\d.]+ s; b back under its name at [\d.]+ s$/m,
    );
  });
});

/** The figures of a printed table, one array of cells per row (not the header or its rule). */
function tableRows(text: string): string[][] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| at") && !line.startsWith("| ---"))
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}
