import { expect } from "chai";
import { AsyncResource } from "node:async_hooks";
import { ProcessManager, Status, Tracked, currentTask } from "../../lib";
import { freshManager, statuses } from "../helpers";

/**
 * Inside the synchronous part of a task, proclist finds the current task without asking the
 * AsyncLocalStorage; these are the cases where that shortcut would be wrong if it were naive.
 */
describe("the current task inside a synchronous task frame", () => {
  let pm: ProcessManager;
  beforeEach(() => {
    pm = freshManager();
  });

  it("is the bound task in a callback bound elsewhere and called synchronously inside another task", async () => {
    class Steps {
      @Status("bound step") step() {}
    }
    const steps = new Steps();
    let seen: string | undefined;
    let callback = () => {};
    let release = () => {};
    const binder = pm.run(
      async () => {
        callback = AsyncResource.bind(() => {
          seen = currentTask()?.id;
          steps.step();
        });
        await new Promise<void>((resolve) => (release = resolve));
      },
      { id: "binder" },
    );
    pm.run(
      () => {
        callback();
        expect(currentTask()?.id).to.equal("caller");
      },
      { id: "caller" },
    );
    release();
    await binder;
    expect(seen).to.equal("binder");
    expect(statuses(pm, "caller")).to.deep.equal(["init", "ended"]);
    expect(statuses(pm, "binder")).to.deep.equal(["init", "bound step", "ended"]);
  });

  it("is nobody's in a callback bound outside any task, called inside one", () => {
    const callback = AsyncResource.bind(() => currentTask()?.id);
    expect(pm.run(() => callback(), { id: "inside" })).to.equal(undefined);
  });

  it("is the generator's own task while a tracked async generator is stepped synchronously inside another task", async () => {
    class Feed {
      constructor(readonly pm: ProcessManager) {}
      @Tracked({ id: () => "feed" })
      async *items() {
        this.fetch();
        yield currentTask()?.id;
      }
      @Status("fetching") fetch() {}
    }
    const feed = new Feed(pm);
    const first = await pm.run(
      () => {
        const step = feed.items().next();
        expect(currentTask()?.id).to.equal("reader");
        return step;
      },
      { id: "reader" },
    );
    expect(first.value).to.equal("feed");
    expect(statuses(pm, "feed")).to.include("fetching");
    expect(statuses(pm, "reader")).not.to.include("fetching");
  });

  it("is the outer task again once a nested task's synchronous call returned", () => {
    const ids: (string | undefined)[] = [];
    pm.run(
      () => {
        ids.push(currentTask()?.id);
        pm.run(() => ids.push(currentTask()?.id), { id: "inner" });
        ids.push(currentTask()?.id);
        try {
          pm.run(
            () => {
              throw new Error("boom");
            },
            { id: "failing" },
          );
        } catch {
          ids.push(currentTask()?.id);
        }
      },
      { id: "outer" },
    );
    ids.push(currentTask()?.id);
    expect(ids).to.deep.equal(["outer", "inner", "outer", "outer", undefined]);
  });
});
