import { expect } from "chai";
import { AsyncLocalStorage } from "node:async_hooks";
import { CancelError, ProcessManager, TaskSlot, Tracked, type Task } from "../../lib";
import { freshManager, rejectionOf, thrownBy, tick } from "../helpers";

describe("ProcessManager.extend()", () => {
  let pm: ProcessManager;
  beforeEach(() => {
    pm = freshManager();
  });

  it("calls started in the caller's context, before the task's code, and shows the fields it sets", () => {
    const outer = new AsyncLocalStorage<string>();
    const seen: string[] = [];
    pm.extend({
      started(task) {
        seen.push(`started ${task.name} in ${outer.getStore()}`);
        task.fields = { traceId: `t-${outer.getStore()}` };
      },
    });
    outer.run("request", () =>
      pm.run(
        (task) => {
          seen.push(`run ${(task as Task).fields?.traceId}`);
        },
        { name: "job" },
      ),
    );
    expect(seen).to.deep.equal(["started job in request", "run t-request"]);
    expect(pm.finishedTasks()[0].fields).to.deep.equal({ traceId: "t-request" });
  });

  it("runs the task's code inside enter, on every entry: sync, async and each async generator step", async () => {
    const scope = new AsyncLocalStorage<string>();
    pm.extend({ enter: (task, run) => scope.run(`in ${task.name}`, run) });
    expect(pm.run(() => scope.getStore(), { name: "sync" })).to.equal("in sync");
    expect(await pm.run(async () => (await tick(), scope.getStore()), { name: "async" })).to.equal("in async");
    class Feed {
      constructor(readonly pm: ProcessManager) {}
      @Tracked({ name: "feed" })
      async *items() {
        yield scope.getStore();
        await tick();
        yield scope.getStore();
      }
    }
    const got: unknown[] = [];
    for await (const item of new Feed(pm).items()) got.push(item);
    expect(got).to.deep.equal(["in feed", "in feed"]);
    expect(scope.getStore()).to.equal(undefined);
  });

  it("calls ended once the task ended, with its outcome, end time and error set", async () => {
    const ends: string[] = [];
    pm.extend({ ended: (task) => ends.push(`${task.name} ${task.outcome} ${task.error ?? ""} ${task.endTime >= task.startTime}`) });
    pm.run(() => 1, { name: "ok" });
    await rejectionOf(pm.run(async () => Promise.reject(new Error("boom")), { name: "bad" }));
    pm.start("manual", { name: "explicit" });
    pm.kill("manual", "stop");
    pm.done("manual");
    expect(ends).to.deep.equal(["ok ended  true", "bad aborted boom true", "explicit ended  true"]);
  });

  it("calls status with each history entry's text and time while the task runs, the cancel request among them, with no event listener", () => {
    const seen: string[] = [];
    pm.extend({ status: (task, text, ts) => seen.push(`${text} ${task.cancel !== undefined} ${ts === task.history.lastTime}`) });
    pm.start("job", { name: "job" });
    pm.status("job", "loading");
    pm.kill("job", "stop");
    expect(thrownBy(() => pm.status("job", "after the kill"))).to.be.instanceOf(CancelError);
    pm.done("job");
    pm.status("job", "after the end");
    expect(seen).to.deep.equal(["loading false true", "[cancel request: stop] true true", "after the kill true true"]);
    expect(pm.events.active).to.equal(false);
  });

  it("keeps the task whole when an extension throws, and runs the code once", async () => {
    let runs = 0;
    pm.extend({
      started: () => {
        throw new Error("started fault");
      },
      enter: () => {
        throw new Error("enter fault");
      },
      status: () => {
        throw new Error("status fault");
      },
      ended: () => {
        throw new Error("ended fault");
      },
    });
    pm.extend({
      enter: (_task, run) => {
        run();
        throw new Error("fault after the code ran");
      },
    });
    expect(pm.run((task) => (task.status("working"), ++runs), { name: "job" })).to.equal(1);
    expect(runs).to.equal(1);
    expect(pm.finished().map((t) => t.outcome)).to.deep.equal(["ended"]);
    const error = await rejectionOf(pm.run(async () => Promise.reject(new Error("own")), { name: "job" }));
    expect((error as Error).message).to.equal("own");
  });

  it("stops calling an extension once removed, and the hot path is back to a single check", () => {
    let calls = 0;
    const remove = pm.extend({ started: () => calls++, ended: () => calls++ });
    pm.run(() => undefined);
    expect(calls).to.equal(2);
    remove();
    expect(pm.hooks).to.equal(undefined);
    pm.run(() => undefined);
    expect(calls).to.equal(2);
  });
});

describe("TaskSlot", () => {
  it("keeps one value per task and slot; a released slot's index is the next one's, per manager", () => {
    const pm = freshManager();
    const a = new TaskSlot<string>(pm);
    const b = new TaskSlot<number>(pm);
    const first = pm.start("one", { name: "one" }) as Task;
    const second = pm.start("two", { name: "two" }) as Task;
    expect(a.get(first)).to.equal(undefined);
    expect(first.slots).to.equal(undefined);
    a.set(first, "span of one");
    b.set(first, 1);
    a.set(second, "span of two");
    expect([a.get(first), b.get(first), a.get(second), b.get(second)]).to.deep.equal(["span of one", 1, "span of two", undefined]);
    expect(first.slots).to.have.length(2);
    a.set(first, undefined);
    a.set(second, undefined);
    a.release();
    const c = new TaskSlot<string>(pm);
    expect(c.get(first)).to.equal(undefined);
    c.set(first, "reused");
    expect(first.slots).to.deep.equal(["reused", 1]);
    // Another manager's slots start at 0 again.
    const other = freshManager();
    const task = other.start("x", { name: "x" }) as Task;
    new TaskSlot<string>(other).set(task, "own");
    expect(task.slots).to.deep.equal(["own"]);
  });
});
