import { expect } from "chai";
import { setTimeout as sleep } from "node:timers/promises";
import { CancelError, ProcessManager, TaskId, Tracked, currentTask, type Task } from "../../lib";
import { freshManager, rejectionOf, thrownBy } from "../helpers";

/** Waits until `condition` holds, polling; fails after `capMs`. */
async function until(condition: () => boolean, capMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > capMs) throw new Error(`condition not met within ${capMs} ms`);
    await sleep(5);
  }
}

class Slow {
  constructor(readonly pm: ProcessManager) {}

  /** Awaits an abortable 10 s wait, as real code awaits a query or a fetch. */
  @Tracked({ timeoutMs: 200 })
  async report(@TaskId() id: string): Promise<string> {
    await sleep(10_000, undefined, { signal: currentTask()!.signal });
    return "done";
  }

  @Tracked()
  async wait(@TaskId() id: string, ms: number): Promise<string> {
    await sleep(ms, undefined, { signal: currentTask()!.signal });
    return "done";
  }

  @Tracked({ timeoutMs: 60_000 })
  async outer(@TaskId() id: string): Promise<string> {
    return this.wait(`${id}.child`, 10_000);
  }
}

describe("deadlines", () => {
  let pm: ProcessManager;
  let slow: Slow;
  beforeEach(() => {
    pm = freshManager();
    slow = new Slow(pm);
  });

  it("@Tracked({ timeoutMs: 200 }) ends a call awaiting an abortable 10 s wait with the deadline message, well before the wait", async () => {
    const started = performance.now();
    const error = await rejectionOf(slow.report("r"));
    const elapsed = performance.now() - started;
    expect(error).to.be.instanceOf(CancelError).and.have.property("reason", "deadline exceeded after 200 ms");
    const [done] = pm.finished();
    expect(done).to.include({ id: "r", outcome: "killed", killedBy: "deadline", status: "killed: deadline exceeded after 200 ms" });
    expect(done.durationMs).to.be.at.least(199);
    // The bound that matters is the 10 s wait, not a tight figure a loaded machine could miss.
    expect(elapsed).to.be.below(5_000);
  });

  it("run(fn, { timeoutMs }) kills the task with killedBy deadline", async () => {
    const error = await rejectionOf(pm.run((task) => sleep(10_000, undefined, { signal: task.signal }), { id: "job", timeoutMs: 50 }));
    expect(error).to.be.instanceOf(CancelError).and.have.property("reason", "deadline exceeded after 50 ms");
    expect(pm.finished()[0]).to.include({ id: "job", outcome: "killed", killedBy: "deadline" });
  });

  it("start(id, { timeoutMs }) aborts the task's signal when it falls due; done() records the kill", async () => {
    const task = pm.start("s", { timeoutMs: 30 });
    await until(() => task.signal.aborted);
    expect(task.signal.reason).to.be.instanceOf(CancelError).and.have.property("reason", "deadline exceeded after 30 ms");
    pm.done("s", task.signal.reason);
    expect(pm.finished()[0]).to.include({ outcome: "killed", killedBy: "deadline" });
  });

  it("clears the timer when the task ends first: nothing is killed later, nothing keeps the process waiting", async () => {
    const result = await pm.run(() => "quick", { id: "q", timeoutMs: 20 });
    expect(result).to.equal("quick");
    const task = pm.get("q")!;
    expect(task.deadline).to.not.equal(undefined);
    // A cleared timer reports it is no longer scheduled.
    expect((task.deadline!.timer as NodeJS.Timeout & { _destroyed?: boolean })._destroyed).to.equal(true);
    expect(task.deadline!.timer!.hasRef()).to.equal(false);
    expect(pm.finished()[0]).to.include({ outcome: "ended", killedBy: undefined });
  });

  it("arms nothing for a task without a deadline", () => {
    const task = pm.get(pm.start("plain").id)!;
    expect(task.deadline).to.equal(undefined);
    pm.done("plain");
  });

  /** Runs `body` inside a task that waits on its signal until killed; resolves to the task's rejection. */
  function parentTask(options: { id: string; timeoutMs?: number; forbidCancel?: boolean }, body: () => void): Promise<unknown> {
    return rejectionOf(
      pm.run((task) => {
        body();
        return sleep(10_000, undefined, { signal: task.signal });
      }, options),
    );
  }

  it("a child inherits its parent's deadline when that is earlier than its own", async () => {
    let child!: Task;
    const parentEnded = parentTask({ id: "p", timeoutMs: 60 }, () => (child = pm.get(pm.start("c", { timeoutMs: 60_000 }).id)!));
    expect(child.deadline!.at).to.equal(pm.get("p")!.deadline!.at);
    expect(child.deadline!.ms).to.equal(60);
    await until(() => child.signal.aborted);
    expect(child.signal.reason).to.have.property("reason", "deadline exceeded after 60 ms");
    expect(await parentEnded).to.have.property("reason", "deadline exceeded after 60 ms");
    pm.done("c", child.signal.reason);
  });

  it("a child's own, earlier deadline kills the child and leaves the parent running", async () => {
    let child!: Task;
    const parentEnded = parentTask({ id: "p", timeoutMs: 60_000 }, () => (child = pm.get(pm.start("c", { timeoutMs: 30 }).id)!));
    await until(() => child.signal.aborted);
    expect(child.signal.reason).to.have.property("reason", "deadline exceeded after 30 ms");
    expect(pm.get("p")!.cancelling).to.equal(false);
    pm.done("c", child.signal.reason);
    pm.kill("p");
    await parentEnded;
  });

  it("the whole call tree under a request ends at the request's deadline, @Tracked children included", async () => {
    const error = await rejectionOf(pm.run(() => slow.outer("o"), { id: "request", timeoutMs: 100 }));
    expect(error).to.be.instanceOf(CancelError).and.have.property("reason", "deadline exceeded after 100 ms");
    const byId = Object.fromEntries(pm.finished().map((t) => [t.id, t]));
    for (const id of ["o.child", "o", "request"]) expect(byId[id]).to.include({ outcome: "killed", killedBy: "deadline" });
  });

  it("never kills a task started with forbidCancel, but its children inherit the deadline", async () => {
    let child!: Task;
    const locked = pm.run(
      () => {
        child = pm.get(pm.start("c").id)!;
        return until(() => child.signal.aborted);
      },
      { id: "locked", timeoutMs: 30, forbidCancel: true },
    );
    expect(pm.get("locked")!.deadline!.timer).to.equal(undefined);
    await locked;
    expect(pm.get("locked")).to.include({ outcome: "ended", killedBy: undefined });
    pm.done("c", child.signal.reason);
  });

  it("refuses a bad timeoutMs with a TypeError naming it", () => {
    for (const bad of [0, -5, "100", 2 ** 31]) {
      const error = thrownBy(() => pm.start("x", { timeoutMs: bad as number }));
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.match(/"timeoutMs"/);
    }
    expect(() => Tracked({ timeoutMs: -1 })).to.throw(TypeError, /timeoutMs/);
    expect(pm.size).to.equal(0);
  });
});
