import { expect } from "chai";
import { CancelForbiddenError, waitOn, type ProcessManager } from "../../lib";
import { onForce } from "../../lib/core/force";
import type { Task } from "../../lib/core/task";
import { blocked, freshManager, releaseAll, statuses, thrownBy } from "../helpers";

/** Starts a task whose code ignores its signal: it awaits a promise only `release` settles. */
function ignoring(pm: ProcessManager, id: string): { task: Task; release: () => void; ended: Promise<unknown> } {
  let release!: () => void;
  let task!: Task;
  const ended = pm.run(
    (handle) => {
      task = handle as Task;
      return new Promise<void>((resolve) => (release = resolve));
    },
    { id },
  );
  return { task, release, ended };
}

describe("forced kills (manager.kill with force)", () => {
  afterEach(releaseAll);

  it("answers cooperated, takes no rung and marks nothing when the task ends on its cancel within the grace", async () => {
    const pm = freshManager();
    const ended = blocked(pm, "polite");
    const result = await pm.kill("polite", "stop", { force: true, graceMs: 60_000, by: "ops" });
    expect(result).to.deep.include({
      id: "polite",
      ended: true,
      outcome: "killed",
      cooperated: true,
      rungs: [],
      ignoringCancel: false,
      graceMs: 60_000,
    });
    await ended.catch(() => undefined);
    expect(statuses(pm, "polite")).to.deep.equal(["init", "[cancel request: stop]", "killed: stop"]);
    expect(pm.get("polite")!.ignoringCancelSince).to.equal(undefined);
  });

  it("marks a task with nothing to force as ignoring its cancel, with a history mark, and never ends it falsely", async () => {
    const pm = freshManager();
    const { task, release, ended } = ignoring(pm, "stubborn");
    const result = await pm.kill("stubborn", undefined, { force: true, graceMs: 0, by: "ops" });
    expect(result).to.deep.include({ ended: false, cooperated: false, rungs: [], ignoringCancel: true });
    expect(result.outcome).to.equal(undefined);
    expect(task.running).to.equal(true);
    expect(pm.list().map((t) => t.id)).to.deep.equal(["stubborn"]);
    expect(task.ignoringCancelSince).to.equal(task.cancelTime);
    expect(statuses(pm, "stubborn").at(-1)).to.match(/^\[ignored cancel for \d+\.\d s\]$/);
    // When its code returns at last, it ends as a killed task does, still marked.
    release();
    await ended;
    expect(task.outcome).to.equal("ended");
    expect(task.ignoringCancelSince).to.be.a("number");
  });

  it("takes the rungs registered on the task and its live descendants, in order, recording each with who asked", async () => {
    const pm = freshManager();
    const order: string[] = [];
    let child!: Task;
    let releaseChild!: () => void;
    const parent = ignoring(pm, "parent");
    pm.enter(parent.task, () => {
      void pm.run(
        (handle) => {
          child = handle as Task;
          return new Promise<void>((resolve) => (releaseChild = resolve));
        },
        { id: "child" },
      );
    });
    // The worker rung is registered first and taken last: rungs go in ladder order, not registration order.
    onForce(child, "worker", () => (order.push("child worker"), releaseChild(), "worker thread terminated"));
    onForce(parent.task, "request", () => (order.push("parent request"), parent.release(), "connection closed"));
    onForce(parent.task, "waits", () => (order.push("parent waits"), undefined));
    const result = await pm.kill("parent", "stuck", { force: true, graceMs: 0, by: "alice" });
    expect(order).to.deep.equal(["parent request", "parent waits", "child worker"]);
    expect(result).to.deep.include({
      ended: true,
      outcome: "ended",
      cooperated: false,
      rungs: ["request", "worker"],
      ignoringCancel: false,
    });
    expect(statuses(pm, "parent")).to.include("[force request by alice: connection closed]");
    expect(statuses(pm, "child")).to.include("[force worker by alice: worker thread terminated]");
    // A forcer with nothing left to do leaves no mark.
    expect(statuses(pm, "parent").some((s) => s.startsWith("[force waits"))).to.equal(false);
  });

  it("forces a task already cancelling, and joins a force already pending on it", async () => {
    const pm = freshManager();
    const { task, release, ended } = ignoring(pm, "twice");
    pm.kill("twice", "first");
    let taken = 0;
    onForce(task, "request", () => (taken++, release(), "connection closed"));
    const [a, b] = await Promise.all([
      pm.kill("twice", "second", { force: true, graceMs: 0 }),
      pm.kill("twice", undefined, { force: true, graceMs: 50 }),
    ]);
    await ended;
    expect(taken).to.equal(1);
    expect(a).to.equal(b);
    expect(a.rungs).to.deep.equal(["request"]);
    // The message in force stays the first kill's.
    expect(statuses(pm, "twice").filter((s) => s.startsWith("[cancel request"))).to.deep.equal(["[cancel request: first]"]);
  });

  it("counts the grace from the task's cancel: one cancelled longer ago than graceMs is forced at once", async () => {
    const pm = freshManager();
    const { task, release, ended } = ignoring(pm, "long-ignored");
    pm.kill("long-ignored", "first");
    // As if that cancel were an hour old: a grace of ten minutes is long over.
    task.cancelTime -= 3_600_000;
    onForce(task, "request", () => (release(), "connection closed"));
    const result = await pm.kill("long-ignored", undefined, { force: true, graceMs: 600_000 });
    await ended;
    expect(result).to.deep.include({ ended: true, cooperated: false, rungs: ["request"], graceMs: 600_000 });
  });

  it("answers a pending force overtaken by one with an earlier deadline with what that one did, never as cooperated", async () => {
    const pm = freshManager();
    const { task, release, ended } = ignoring(pm, "overtaken");
    onForce(task, "request", () => (release(), "connection closed"));
    const patient = pm.kill("overtaken", "stop", { force: true, graceMs: 60_000, by: "alice" });
    const hasty = await pm.kill("overtaken", undefined, { force: true, graceMs: 0, by: "bob" });
    await ended;
    expect(hasty).to.deep.include({ ended: true, cooperated: false, rungs: ["request"] });
    expect(await patient, "the task ended by bob's rung, not on its cancel").to.equal(hasty);
  });

  it("names in the history the waits it could not abort when it aborted none, without counting the waits rung as taken", async () => {
    const pm = freshManager();
    let release!: () => void;
    const ended = pm.run(() => waitOn("pg", "SELECT orders", new Promise<void>((resolve) => (release = resolve))), { id: "query" });
    const result = await pm.kill("query", "stuck", { force: true, graceMs: 0, by: "ops" });
    expect(result).to.deep.include({ ended: false, rungs: [], ignoringCancel: true });
    expect(statuses(pm, "query")).to.include("[force waits by ops: could not abort pg SELECT orders]");
    release();
    await ended.catch(() => undefined);
  });

  it("refuses forbidCancel tasks as a plain kill does, and a bad option before anything is cancelled", () => {
    const pm = freshManager();
    void blocked(pm, "guarded", { forbidCancel: true });
    void blocked(pm, "open");
    expect(thrownBy(() => pm.kill("guarded", undefined, { force: true, graceMs: 0 }))).to.be.instanceOf(CancelForbiddenError);
    for (const graceMs of [-1, 1.5, Number.NaN, 3_600_001, "1" as unknown as number]) {
      expect(thrownBy(() => pm.kill("open", undefined, { force: true, graceMs }))).to.be.instanceOf(TypeError);
    }
    expect(thrownBy(() => pm.kill("open", undefined, { force: "yes" as unknown as boolean }))).to.be.instanceOf(TypeError);
    expect(pm.list().map((t) => t.cancelling)).to.deep.equal([false, false]);
  });

  it("forces every task a filter selects and says how each went; refused ones are left running", async () => {
    const pm = freshManager();
    const polite = blocked(pm, "r1", { name: "report" });
    const stubborn = ignoring(pm, "r2");
    void blocked(pm, "r3", { name: "report", forbidCancel: true });
    const killed = await pm.killWhere({ status: "init" }, "storm", { force: true, graceMs: 0 });
    await polite.catch(() => undefined);
    expect(killed.cancelled).to.deep.equal(["r1", "r2"]);
    expect(killed.refused).to.deep.equal(["r3"]);
    expect(killed.forced.map((r) => [r.id, r.ended, r.ignoringCancel])).to.deep.equal([
      ["r1", true, false],
      ["r2", false, true],
    ]);
    stubborn.release();
    await stubborn.ended;
  });
});
