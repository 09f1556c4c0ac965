import { expect } from "chai";
import { AsyncLocalStorage, AsyncResource, executionAsyncId } from "node:async_hooks";
import { EventEmitter, EventEmitterAsyncResource } from "node:events";
import { ProcessManager, Status, Tracked, currentTask } from "../../lib";
import { freshManager, statuses } from "../helpers";

/**
 * How a task's context is entered depends on the runtime (async hooks on Node 20 and 22,
 * AsyncContextFrame on 24+, see context.ts); these hold on every one. The suite runs under each
 * Node of the matrix.
 */
describe("entering a task's context", () => {
  let pm: ProcessManager;
  // Another library's storage (a tracer's, say): proclist must neither hide nor change it.
  const other = new AsyncLocalStorage<string>();
  beforeEach(() => {
    pm = freshManager();
  });

  it("keeps another storage's store inside the task and gives the caller its own context back, sync", () => {
    const seen = other.run("span", () => {
      const inside = pm.run(() => [other.getStore(), currentTask()?.id], { id: "s" });
      return [...inside, other.getStore(), currentTask()?.id];
    });
    expect(seen).to.deep.equal(["span", "s", "span", undefined]);
  });

  it("keeps another storage's store across the task's awaits and gives the caller its own context back, async", async () => {
    const seen: unknown[] = [];
    await other.run("span", async () => {
      const task = pm.run(
        async () => {
          await new Promise((resolve) => setImmediate(resolve));
          seen.push(other.getStore(), currentTask()?.id);
        },
        { id: "a" },
      );
      seen.push("returned", other.getStore(), currentTask()?.id);
      await task;
      seen.push(other.getStore(), currentTask()?.id);
    });
    expect(seen).to.deep.equal(["returned", "span", undefined, "span", "a", "span", undefined]);
  });

  it("leaves the caller's async id as it was", () => {
    const before = executionAsyncId();
    pm.run(() => undefined, { id: "s" });
    expect(executionAsyncId()).to.equal(before);
  });

  it("gives the caller its context back when the task throws, at every depth", () => {
    const ids: (string | undefined)[] = [];
    pm.run(
      () => {
        try {
          pm.run(
            () => {
              pm.run(
                () => {
                  throw new Error("deep");
                },
                { id: "c" },
              );
            },
            { id: "b" },
          );
        } catch {
          ids.push(currentTask()?.id);
        }
      },
      { id: "a" },
    );
    ids.push(currentTask()?.id);
    expect(ids).to.deep.equal(["a", undefined]);
    expect(pm.finished().map((t) => [t.id, t.outcome])).to.deep.equal([
      ["c", "aborted"],
      ["b", "aborted"],
      ["a", "ended"],
    ]);
  });

  it("reaches timers, immediates, microtasks and promise callbacks scheduled by a sync function that returns a promise", async () => {
    const seen: (string | undefined)[] = [];
    const note = () => seen.push(currentTask()?.id);
    await pm.run(
      () =>
        new Promise<void>((resolve) => {
          const arrive = () => {
            note();
            if (seen.length === 4) resolve();
          };
          setTimeout(arrive, 1);
          setImmediate(arrive);
          queueMicrotask(arrive);
          void Promise.resolve().then(arrive);
        }).then(note),
      { id: "p" },
    );
    expect(seen).to.have.length(5);
    expect(new Set(seen)).to.deep.equal(new Set(["p"]));
    expect(statuses(pm, "p")).to.deep.equal(["init", "ended"]);
  });

  it("reaches callbacks bound with AsyncResource and AsyncLocalStorage.bind, wherever they are called", async () => {
    let bound = (): string | undefined => undefined;
    let snapshot = (): string | undefined => undefined;
    let resource: AsyncResource | undefined;
    pm.run(
      () => {
        bound = AsyncResource.bind(() => currentTask()?.id);
        snapshot = AsyncLocalStorage.bind(() => currentTask()?.id);
        resource = new AsyncResource("spec");
      },
      { id: "binder" },
    );
    expect(bound()).to.equal("binder");
    expect(snapshot()).to.equal("binder");
    expect(resource!.runInAsyncScope(() => currentTask()?.id)).to.equal("binder");
    expect(pm.run(() => [bound(), currentTask()?.id], { id: "caller" })).to.deep.equal(["binder", "caller"]);
  });

  it("reaches listeners of an EventEmitterAsyncResource created in the task, not those of a plain emitter", () => {
    let tracked: EventEmitterAsyncResource | undefined;
    const plain = new EventEmitter();
    const seen: (string | undefined)[] = [];
    pm.run(
      () => {
        tracked = new EventEmitterAsyncResource({ name: "spec" });
      },
      { id: "owner" },
    );
    tracked!.on("x", () => seen.push(currentTask()?.id));
    plain.on("x", () => seen.push(currentTask()?.id));
    pm.run(
      () => {
        tracked!.emit("x");
        plain.emit("x");
      },
      { id: "emitter" },
    );
    expect(seen).to.deep.equal(["owner", "emitter"]);
  });

  it("runs each step of a tracked async generator in its own task and the loop in the reader's", async () => {
    class Feed {
      constructor(readonly pm: ProcessManager) {}
      @Tracked({ id: () => "feed" })
      async *items() {
        this.step();
        yield currentTask()?.id;
        await new Promise((resolve) => setImmediate(resolve));
        this.step();
        yield currentTask()?.id;
      }
      @Status("step") step() {}
    }
    const feed = new Feed(pm);
    const got: unknown[] = [];
    await pm.run(
      async () => {
        for await (const id of feed.items()) got.push(id, currentTask()?.id);
      },
      { id: "reader" },
    );
    expect(got).to.deep.equal(["feed", "reader", "feed", "reader"]);
    expect(statuses(pm, "feed")).to.deep.equal(["init", "step", "step", "ended"]);
    expect(statuses(pm, "reader")).to.deep.equal(["init", "ended"]);
  });

  it("nests two hundred deep and unwinds to the caller's context", () => {
    pm = freshManager({ keepFinished: 200 });
    const depth = (n: number): number => (n === 0 ? Number(currentTask()?.id) : pm.run(() => depth(n - 1), { id: String(n) }));
    expect(depth(200)).to.equal(1);
    expect(currentTask()).to.equal(undefined);
    expect(pm.get("200")!.outcome).to.equal("ended");
    expect(pm.get("1")!.parent?.id).to.equal("2");
  });
});
