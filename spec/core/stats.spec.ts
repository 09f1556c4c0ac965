import { expect } from "chai";
import { MAX_PHASE_CHARS } from "../../lib/core/stats";
import { freshManager } from "../helpers";

describe("ProcessManager.stats", () => {
  it("counts per name and times each status over ended tasks", () => {
    const pm = freshManager();
    pm.run((t) => t.status("phase"), { name: "job" });
    pm.run((t) => t.status("phase"), { name: "job" });
    pm.start("x", { name: "job" });
    const [job] = pm.stats.snapshot();
    expect(job).to.include({ name: "job", started: 3, running: 1, ended: 2, killed: 0, aborted: 0 });
    expect(job.latencyMs.count).to.equal(2);
    expect(job.latencyMs.p99).to.be.at.least(job.latencyMs.p50);
    expect(job.phases).to.have.keys("init", "phase");
    expect(job.phases.phase.count).to.equal(2);
  });

  it("folds statuses past 200 distinct ones per name into (other), so odd strings cannot grow memory", () => {
    const pm = freshManager();
    for (let i = 0; i < 500; i++) pm.run((t) => t.status(`row ${i}`), { name: "import" });
    const [stats] = pm.stats.snapshot();
    expect(Object.keys(stats.phases)).to.have.length(201);
    expect(stats.phases["(other)"].count).to.equal(301);
  });

  it("bounds the status text all names' phase tables hold together (1 Mi characters), folding the rest into (other) and counting it there", () => {
    const pm = freshManager();
    const long = (i: number) => `${i}:`.padEnd(1000, "z");
    // 20 names × 100 distinct 1,000-character statuses: 2 million characters, under 200 per name.
    for (let n = 0; n < 20; n++) for (let i = 0; i < 100; i++) pm.run((t) => t.status(long(n * 100 + i)), { name: `job ${n}` });
    const all = pm.stats.snapshot();
    const kept = all.flatMap((s) => Object.keys(s.phases).filter((p) => p !== "(other)"));
    expect(kept.reduce((sum, p) => sum + p.length, 0)).to.be.at.most(MAX_PHASE_CHARS);
    expect(kept.length).to.be.above(1000);
    // Nothing is lost: every status is counted, in its own entry or under (other).
    const counted = all.reduce(
      (sum, s) =>
        sum +
        Object.entries(s.phases)
          .filter(([p]) => p !== "init")
          .reduce((c, [, v]) => c + v.count, 0),
      0,
    );
    expect(counted).to.equal(2000);
    expect(all.find((s) => s.name === "job 19")!.phases["(other)"].count).to.equal(100);
  });

  it("folds task names past 1,000 into (other), counting them there", () => {
    const pm = freshManager();
    for (let i = 0; i < 1005; i++) pm.run(() => i, { name: `job ${i}` });
    pm.start("live", { name: "one more" });
    const all = pm.stats.snapshot();
    expect(all).to.have.length(1001);
    expect(all.find((s) => s.name === "(other)")).to.include({ started: 6, ended: 5, running: 1 });
  });

  it("times each kept status of a history whose ring has wrapped", () => {
    const pm = freshManager({ maxHistory: 4 });
    const task = pm.start("a", { name: "long" });
    for (let i = 1; i <= 10; i++) task.status(`s${i}`);
    pm.done("a");
    const [stats] = pm.stats.snapshot();
    // kept: init, s9, s10, ended; a phase runs from its entry to the next kept one
    expect(Object.keys(stats.phases)).to.deep.equal(["init", "s9", "s10"]);
    const history = pm.history("a");
    expect(stats.phases.init.totalMs).to.be.closeTo(history[1].ts - history[0].ts, 1e-6);
    expect(stats.phases.s10.totalMs).to.be.closeTo(history[3].ts - history[2].ts, 1e-6);
  });
});
