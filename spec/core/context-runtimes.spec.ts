import { expect } from "chai";
import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
import { EventEmitter, EventEmitterAsyncResource, once } from "node:events";
import { ProcessManager, Status } from "../../lib";
import { activeTask, taskContext } from "../../lib/core/context";
import { freshManager, statuses } from "../helpers";

/** The task the fast path answers and the one the AsyncLocalStorage holds: they must agree. */
function where(): [string | undefined, string | undefined] {
  return [activeTask()?.id, taskContext.getStore()?.id];
}

class Steps {
  @Status("step") step() {}
}

/**
 * The fast path of `activeTask()` compares `executionAsyncId()` with the one its frame was entered
 * under. Node 24+ runs AsyncLocalStorage on AsyncContextFrame, without promise hooks; every way
 * Node switches or carries the context must still land on the right task, on every Node of the
 * matrix (`.ci/run` runs this file on 20, 22, 24 and 26).
 */
describe(`the current task on Node ${process.versions.node}`, () => {
  let pm: ProcessManager;
  const steps = new Steps();
  beforeEach(() => {
    pm = freshManager();
  });

  it("is the binding task in AsyncResource.bind, AsyncLocalStorage.bind and snapshot callbacks run inside another task", () => {
    let resourceBound = () => where();
    let storageBound = () => where();
    let snapshot: (fn: () => [string | undefined, string | undefined]) => [string | undefined, string | undefined] = (fn) => fn();
    pm.run(
      () => {
        resourceBound = AsyncResource.bind(() => (steps.step(), where()));
        storageBound = AsyncLocalStorage.bind(() => where());
        snapshot = AsyncLocalStorage.snapshot();
      },
      { id: "binder" },
    );
    const seen = pm.run(() => [resourceBound(), storageBound(), snapshot(() => where()), where()], { id: "caller" });
    expect(seen).to.deep.equal([
      ["binder", "binder"],
      ["binder", "binder"],
      ["binder", "binder"],
      ["caller", "caller"],
    ]);
    expect(statuses(pm, "caller")).to.deep.equal(["init", "ended"]);
  });

  it("is the resource's task in AsyncResource.runInAsyncScope, and the caller's again after it", () => {
    const resource = pm.run(() => new AsyncResource("proclist-spec"), { id: "owner" });
    const seen = pm.run(() => [resource.runInAsyncScope(() => where()), where()], { id: "caller" });
    resource.emitDestroy();
    expect(seen).to.deep.equal([
      ["owner", "owner"],
      ["caller", "caller"],
    ]);
  });

  it("follows timers, immediates and nextTick callbacks to the task that scheduled them", async () => {
    const seen: [string | undefined, string | undefined][] = [];
    await pm.run(
      async () => {
        await new Promise<void>((resolve) => setTimeout(() => (seen.push(where()), resolve()), 1));
        await new Promise<void>((resolve) => setImmediate(() => (seen.push(where()), resolve())));
        await new Promise<void>((resolve) => process.nextTick(() => (seen.push(where()), resolve())));
        // A timer that fires while another task's synchronous frame is on no stack at all.
        await pm.run(() => new Promise<void>((resolve) => setTimeout(() => (seen.push(where()), resolve()), 1)), { id: "inner" });
        seen.push(where());
      },
      { id: "timers" },
    );
    expect(seen).to.deep.equal([
      ["timers", "timers"],
      ["timers", "timers"],
      ["timers", "timers"],
      ["inner", "inner"],
      ["timers", "timers"],
    ]);
  });

  it("is the emitting task in a plain EventEmitter's listeners, and the resource's in an EventEmitterAsyncResource's", async () => {
    const plain = new EventEmitter();
    const scoped = pm.run(() => new EventEmitterAsyncResource({ name: "proclist-spec" }), { id: "creator" });
    const seen: Record<string, [string | undefined, string | undefined]> = {};
    pm.run(
      () => {
        plain.on("go", () => (seen.plain = where()));
        scoped.on("go", () => {
          steps.step();
          seen.scoped = where();
        });
      },
      { id: "listener" },
    );
    pm.run(
      () => {
        plain.emit("go");
        scoped.emit("go");
        seen.after = where();
      },
      { id: "emitter" },
    );
    const later = once(plain, "later");
    await pm.run(
      async () => {
        await Promise.resolve();
        plain.emit("later", where());
      },
      { id: "async-emitter" },
    );
    seen.later = ((await later) as [[string | undefined, string | undefined]])[0];
    scoped.emitDestroy();
    expect(seen).to.deep.equal({
      plain: ["emitter", "emitter"],
      scoped: ["creator", "creator"],
      after: ["emitter", "emitter"],
      later: ["async-emitter", "async-emitter"],
    });
    expect(statuses(pm, "emitter")).to.deep.equal(["init", "ended"]);
  });

  it("is the stepping task in a sync generator's body, and the creating task in an async generator's", async () => {
    const generator = pm.run(
      () =>
        (function* () {
          yield where();
          yield where();
        })(),
      { id: "creator" },
    );
    const sync = pm.run(() => generator.next().value, { id: "stepper" });
    const asyncSteps = pm.run(
      () =>
        (async function* () {
          yield where();
          await new Promise((resolve) => setTimeout(resolve, 1));
          yield where();
        })(),
      { id: "async-creator" },
    );
    const first = await pm.run(() => asyncSteps.next(), { id: "async-stepper" });
    const second = await asyncSteps.next();
    expect(sync).to.deep.equal(["stepper", "stepper"]);
    expect(first.value).to.deep.equal(["async-creator", "async-creator"]);
    expect(second.value).to.deep.equal(["async-creator", "async-creator"]);
  });

  it("nests: each level sees its own task, sync and across awaits, and the outer one again after", async () => {
    const seen: [string | undefined, string | undefined][] = [];
    await pm.run(
      async () => {
        seen.push(where());
        await pm.run(
          async () => {
            seen.push(where());
            pm.run(() => seen.push(where()), { id: "c" });
            await Promise.resolve();
            seen.push(where());
            steps.step();
          },
          { id: "b" },
        );
        seen.push(where());
      },
      { id: "a" },
    );
    seen.push(where());
    expect(seen).to.deep.equal([
      ["a", "a"],
      ["b", "b"],
      ["c", "c"],
      ["b", "b"],
      ["a", "a"],
      [undefined, undefined],
    ]);
    expect(statuses(pm, "b")).to.deep.equal(["init", "step", "ended"]);
    expect(pm.finished().find((t) => t.id === "c")?.parent).to.equal("b");
  });
});
