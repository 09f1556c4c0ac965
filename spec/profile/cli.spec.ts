import { expect } from "chai";
import { proclist } from "../cli/fixture";
import { burningServer, type BurningServer } from "./burning";

/** The rows of a table the command printed, split on its two-space column gaps. */
function rows(stdout: string): string[][] {
  return stdout
    .trimEnd()
    .split("\n")
    .map((line) => line.split(/ {2,}/));
}

describe("proclist profile", function () {
  this.timeout(60_000);
  let one: BurningServer;
  let two: BurningServer;
  before(async () => {
    [one, two] = await Promise.all([burningServer(), burningServer()]);
  });
  after(async () => {
    await Promise.all([one.stop(), two.stop()]);
  });

  it("prints the CPU time per task name of every endpoint in one table, with the share outside any task and the busiest tasks", async () => {
    const { code, stdout, stderr } = await proclist(["profile", "-e", `${one.label},${two.label}`, "--seconds", "2"]);
    expect(code, stderr).to.equal(0);
    const table = rows(stdout);
    expect(table[0]).to.deep.equal(["ENDPOINT", "NAME", "CPU", "SHARE", "TASKS"]);
    for (const endpoint of [one.label, two.label]) {
      const mine = table.filter((row) => row[0] === endpoint);
      const share = (name: string) => Number(mine.find((row) => row[1] === name)?.[3].replace("%", ""));
      expect(share("Burn.seventy")).to.be.within(50, 88);
      expect(share("Burn.thirty")).to.be.within(12, 45);
      expect(mine.some((row) => row[1] === "(outside any task)")).to.equal(true);
      expect(stdout).to.contain(`${endpoint}: `);
    }
    expect(stdout).to.contain("busiest tasks:");
    expect(stdout).to.match(/ENDPOINT +ID +NAME +CPU +SHARE/);
  });

  it("prints JSON for scripts, and fails with exit 3 naming an endpoint already profiling while the others are shown", async () => {
    // The first command needs a moment to reach its server: ask until the server says it is busy.
    // On a loaded machine the first profile may end before a second command gets there; it is then
    // started again, so the loop ends on the conflict, not on a race.
    let settled = true;
    let first!: ReturnType<typeof proclist>;
    let second;
    for (;;) {
      if (settled) {
        settled = false;
        first = proclist(["profile", "-e", one.label, "--seconds", "3", "--json"]);
        void first.finally(() => (settled = true));
      }
      second = await proclist(["profile", "-e", `${one.label},${two.label}`, "--seconds", "1", "--json"]);
      if (second.code !== 0) break;
    }
    expect(second.code).to.equal(3);
    expect(second.stderr)
      .to.contain(one.label)
      .and.to.match(/409|already running/);
    const shown = JSON.parse(second.stdout);
    expect(shown.map((entry: { endpoint: string }) => entry.endpoint)).to.deep.equal([two.label]);
    const done = await first;
    expect(done.code, done.stderr).to.equal(0);
    const [entry] = JSON.parse(done.stdout);
    expect(entry.endpoint).to.equal(one.label);
    expect(entry.profile.names.map((row: { name: string }) => row.name)).to.include.members(["Burn.thirty", "Burn.seventy"]);
  });

  it("refuses seconds outside 1–60 as a usage error", async () => {
    const { code, stderr } = await proclist(["profile", "-e", one.label, "--seconds", "61"]);
    expect(code).to.equal(64);
    expect(stderr).to.contain("seconds from 1 to 60");
  });
});
