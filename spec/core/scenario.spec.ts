import { expect } from "chai";
import { CancelError, CancelForbiddenError, ProcessManager, Status, TaskId, Tracked, currentTask } from "../../lib";
import { freshManager, statuses, thrownBy, tick } from "../helpers";

/**
 * The original library's own scenario, restated: two tasks with attributes set and deleted,
 * one started with forbidCancel (kill answers forbidden, it keeps running), the other killed
 * and noticing at its next status, recorded as killed, each history in order.
 */
describe("the original's scenario", () => {
  function expectScenarioOutcome(pm: ProcessManager) {
    expect(statuses(pm, "guarded")).to.deep.equal(["init", "step 1", "step 2", "ended"]);
    expect(statuses(pm, "victim")).to.deep.equal(["init", "step 1", "[cancel request: go away]", "step 2", "killed: go away"]);
    expect(pm.finished().map((f) => [f.id, f.outcome])).to.deep.equal([
      ["victim", "killed"],
      ["guarded", "ended"],
    ]);
    expect(pm.finished().find((f) => f.id === "guarded")?.attrs).to.deep.equal({ host: "10.0.0.7", user: "ann" });
    expect(pm.list()).to.deep.equal([]);
  }

  it("with the explicit API", () => {
    const pm = freshManager();
    pm.start("guarded", { attrs: { host: "10.0.0.7", method: "GET" }, forbidCancel: true });
    pm.start("victim", { attrs: { host: "10.0.0.8" } });
    pm.setAttribute("guarded", "user", "ann");
    pm.deleteAttribute("guarded", "method");
    pm.status("guarded", "step 1");
    pm.status("victim", "step 1");

    expect(thrownBy(() => pm.kill("guarded", "go away"))).to.be.instanceOf(CancelForbiddenError);
    pm.kill("victim", "go away");
    expect(pm.list().map((t) => [t.id, t.cancelling])).to.deep.equal([
      ["guarded", false],
      ["victim", true],
    ]);

    pm.status("guarded", "step 2");
    const cancel = thrownBy(() => pm.status("victim", "step 2"));
    expect(cancel).to.be.instanceOf(CancelError);
    pm.done("victim", cancel);
    pm.done("guarded");
    expectScenarioOutcome(pm);
  });

  it("with decorators", async () => {
    const pm = freshManager();
    class Service {
      constructor(readonly pm: ProcessManager) {}

      @Tracked({ attrs: (_id: string, host: string) => ({ host, method: "GET" }), forbidCancel: true })
      guarded(@TaskId() id: string, host: string, gate: Promise<void>) {
        currentTask()!.setAttribute("user", "ann");
        currentTask()!.deleteAttribute("method");
        return this.work(gate);
      }

      @Tracked({ attrs: (_id: string, host: string) => ({ host }) })
      handle(@TaskId() id: string, host: string, gate: Promise<void>) {
        return this.work(gate);
      }

      async work(gate: Promise<void>) {
        this.step(1);
        await gate;
        this.step(2);
      }

      @Status((n: number) => `step ${n}`)
      step(_n: number) {}
    }
    const service = new Service(pm);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const guarded = service.guarded("guarded", "10.0.0.7", gate);
    const victim = service.handle("victim", "10.0.0.8", gate).then(
      () => undefined,
      (e: unknown) => e,
    );
    await tick();

    expect(thrownBy(() => pm.kill("guarded", "go away"))).to.be.instanceOf(CancelForbiddenError);
    pm.kill("victim", "go away");
    expect(pm.list().map((t) => [t.id, t.cancelling])).to.deep.equal([
      ["guarded", false],
      ["victim", true],
    ]);
    open();
    await guarded;
    expect(await victim).to.be.instanceOf(CancelError);
    // victim settles after guarded here: both noticed the open gate in start order
    expect(statuses(pm, "guarded")).to.deep.equal(["init", "step 1", "step 2", "ended"]);
    expect(statuses(pm, "victim")).to.deep.equal(["init", "step 1", "[cancel request: go away]", "step 2", "killed: go away"]);
    expect(pm.get("guarded")?.attrs).to.deep.equal({ host: "10.0.0.7", user: "ann" });
    expect(pm.list()).to.deep.equal([]);
  });
});
