import { expect } from "chai";
import { setTimeout as sleep } from "node:timers/promises";
import { ProcessManager, Tracked, currentTask } from "../../lib";
import { freshManager, statuses } from "../helpers";

describe("currentTask()", () => {
  let pm: ProcessManager;
  beforeEach(() => {
    pm = freshManager();
  });

  it("is undefined outside any task", () => {
    expect(currentTask()).to.equal(undefined);
  });

  it("follows the task across awaits, timers and nested calls without passing ids", async () => {
    const seen: (string | undefined)[] = [];
    const deep = () => seen.push(currentTask()?.id);
    await pm.run(
      async () => {
        deep();
        await sleep(1);
        deep();
        await new Promise<void>((resolve) => setTimeout(() => (deep(), resolve()), 1));
        await new Promise<void>((resolve) => setImmediate(() => (deep(), resolve())));
        queueMicrotask(deep);
        await Promise.resolve();
      },
      { id: "ctx" },
    );
    expect(seen).to.deep.equal(["ctx", "ctx", "ctx", "ctx", "ctx"]);
    expect(currentTask()).to.equal(undefined);
  });

  it("gives a handle that records statuses and changes attributes of the running task", () => {
    class Job {
      constructor(readonly pm: ProcessManager) {}
      @Tracked({ id: () => "job" })
      run() {
        const task = currentTask()!;
        task.status("half way");
        task.setAttribute("rows", 10);
        task.setAttribute("tmp", true);
        task.deleteAttribute("tmp");
        expect(task.name).to.equal("Job.run");
        return pm.list()[0].attrs;
      }
    }
    expect(new Job(pm).run()).to.deep.equal({ rows: 10 });
    expect(statuses(pm, "job")).to.deep.equal(["init", "half way", "ended"]);
  });

  it("keeps interleaved tasks apart", async () => {
    const run = (id: string) =>
      pm.run(
        async () => {
          for (let i = 0; i < 5; i++) {
            await sleep(Math.random() * 3);
            currentTask()!.status(`${id}-${i}`);
          }
        },
        { id },
      );
    await Promise.all([run("a"), run("b"), run("c")]);
    for (const id of ["a", "b", "c"]) {
      expect(statuses(pm, id)).to.deep.equal(["init", ...[0, 1, 2, 3, 4].map((i) => `${id}-${i}`), "ended"]);
    }
  });
});

describe("ProcessManager.run()", () => {
  it("runs a sync function synchronously and returns its value", () => {
    const pm = freshManager();
    const value = pm.run((task) => task.id, { id: "s" });
    expect(value).to.equal("s");
    expect(pm.finished()[0].outcome).to.equal("ended");
  });

  it("names the task after the function unless told", async () => {
    const pm = freshManager();
    await pm.run(async function nightlyReport() {});
    pm.run(() => 0, { name: "cleanup" });
    expect(pm.finished().map((f) => f.name)).to.deep.equal(["nightlyReport", "cleanup"]);
  });

  it("rejects wrong options with a TypeError", () => {
    const pm = freshManager();
    expect(() => pm.run(() => 0, { attrs: "x" } as never)).to.throw(TypeError, /"attrs" "x": must be object/);
    expect(() => pm.run(() => 0, { id: "" })).to.throw(TypeError, /task id ""/);
  });
});
