import { expect } from "chai";
import { container, injectable } from "tsyringe";
import { Attr, CancelError, DuplicateTaskError, ProcessManager, Status, TaskId, Tracked, currentTask } from "../../lib";
import { freshManager, rejectionOf, statuses, thrownBy, tick } from "../helpers";

class Orders {
  calls: unknown[] = [];
  constructor(readonly pm: ProcessManager) {}

  @Tracked()
  place(@TaskId() requestId: string, @Attr("user") user: string, @Attr("items", (items: string[]) => items.length) items: string[]) {
    this.calls.push(this);
    return `${user}:${items.join(",")}`;
  }

  @Tracked({
    attrs: (order: { id: number; region: string }) => ({ region: order.region }),
    id: (order: { id: number }) => `order-${order.id}`,
  })
  async ship(order: { id: number; region: string }) {
    await tick();
    return order.id;
  }

  @Tracked({ name: "orders.audit" })
  audit() {
    return currentTask()?.id;
  }

  @Tracked()
  explode(): never {
    throw new RangeError("sync failure");
  }

  @Tracked()
  async explodeLater(): Promise<never> {
    await tick();
    throw new RangeError("async failure");
  }

  @Tracked()
  async wait(@TaskId() id: string) {
    while (true) {
      await this.step();
    }
  }

  @Tracked({ swallowCancel: true })
  async waitQuietly(@TaskId() id: string) {
    while (true) await this.step();
  }

  @Tracked({ forbidCancel: true })
  async critical(@TaskId() id: string) {
    await tick(20);
    return "done";
  }

  @Status("step")
  async step() {
    await tick(1);
  }

  @Tracked()
  async parent(@TaskId() id: string) {
    return Promise.all([this.wait(`${id}.child1`), this.wait(`${id}.child2`)]);
  }

  @Tracked()
  async *stream(@TaskId() id: string, count: number) {
    for (let i = 0; i < count; i++) {
      currentTask()!.status(`item ${i}`);
      await tick();
      yield i;
    }
  }
}

describe("@Tracked", () => {
  let pm: ProcessManager;
  let orders: Orders;
  beforeEach(() => {
    pm = freshManager();
    orders = new Orders(pm);
  });

  it("makes each call a task named ClassName.method with attributes from @Attr parameters", () => {
    orders.place("r1", "ann", ["a", "b", "c"]);
    const [done] = pm.finished();
    expect(done).to.include({ id: "r1", name: "Orders.place", outcome: "ended" });
    expect(done.attrs).to.deep.equal({ user: "ann", items: 3 });
  });

  it("takes the id and attributes from its options' functions", async () => {
    await orders.ship({ id: 7, region: "eu" });
    expect(pm.finished()[0]).to.deep.include({ id: "order-7", attrs: { region: "eu" } });
  });

  it("uses the name option", () => {
    orders.audit();
    expect(pm.finished()[0].name).to.equal("orders.audit");
  });

  it("generates short, URL-safe ids unique in the process when none is given", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) ids.add(orders.audit()!);
    expect(ids.size).to.equal(2000);
    for (const id of ids) expect(id).to.match(/^[0-9a-z]{1,8}$/);
    const other = new Orders(freshManager());
    expect(ids.has(other.audit()!)).to.equal(false);
  });

  it("passes this, arguments and the return value through; a sync method stays sync", () => {
    const result = orders.place("r1", "ann", ["x"]);
    expect(result).to.equal("ann:x");
    expect(orders.calls[0]).to.equal(orders);
  });

  it("keeps async methods async and resolves to their value", async () => {
    const pending = orders.ship({ id: 1, region: "us" });
    expect(pending).to.be.instanceOf(Promise);
    expect(pm.list().map((t) => t.id)).to.deep.equal(["order-1"]);
    expect(await pending).to.equal(1);
    expect(pm.list()).to.deep.equal([]);
  });

  it("lets sync and async errors propagate unchanged and records aborted", async () => {
    const syncError = thrownBy(() => orders.explode());
    expect(syncError).to.be.instanceOf(RangeError).and.have.property("message", "sync failure");
    const asyncError = await rejectionOf(orders.explodeLater());
    expect(asyncError).to.be.instanceOf(RangeError).and.have.property("message", "async failure");
    expect(pm.finished().map((f) => f.outcome)).to.deep.equal(["aborted", "aborted"]);
  });

  it("runs a call whose id a live task has under a derived id (id~2), saying so on the task", async () => {
    pm.setOptions({ onError: () => {} });
    const first = orders.critical("same");
    const second = orders.critical("same");
    expect(pm.list().map((t) => t.id)).to.deep.equal(["same", "same~2"]);
    expect(pm.get("same~2")!.attrs["proclist.error"]).to.contain('"same" is taken').and.contain('"same~2"');
    expect(await Promise.all([first, second])).to.deep.equal(["done", "done"]);
    pm.start("taken");
    expect(orders.place("taken", "ann", [])).to.equal("ann:");
    expect(pm.finished().at(-1)!.id).to.equal("taken~2");
    expect(thrownBy(() => pm.start("taken"))).to.be.instanceOf(DuplicateTaskError);
  });

  it("rejects the call with CancelError when killed, and records killed: message", async () => {
    const pending = orders.wait("w");
    await tick(5);
    pm.kill("w", "operator");
    const error = await rejectionOf(pending);
    expect(error).to.be.instanceOf(CancelError).and.have.property("reason", "operator");
    expect(statuses(pm, "w").at(-1)).to.equal("killed: operator");
  });

  it("resolves to undefined instead with swallowCancel", async () => {
    const pending = orders.waitQuietly("q");
    await tick(5);
    pm.kill("q");
    expect(await pending).to.equal(undefined);
    expect(pm.finished()[0].outcome).to.equal("killed");
  });

  it("takes forbidCancel per method: kill answers forbidden and the call completes", async () => {
    const pending = orders.critical("c");
    expect(() => pm.kill("c")).to.throw(/cannot be cancelled/);
    expect(await pending).to.equal("done");
    expect(pm.finished()[0].outcome).to.equal("ended");
  });

  it("makes a tracked call inside another task its child, and kills children with the parent", async () => {
    const pending = orders.parent("p");
    await tick(5);
    const byId = Object.fromEntries(pm.list().map((t) => [t.id, t]));
    expect(byId["p.child1"].parent).to.equal("p");
    expect(byId["p.child2"].parent).to.equal("p");
    pm.kill("p", "cascade");
    expect(await rejectionOf(pending)).to.be.instanceOf(CancelError);
    // Promise.all rejects with the first child; the second ends at its own next cancellation point.
    for (let i = 0; i < 1000 && pm.list().length > 0; i++) await tick(5);
    expect(pm.list()).to.deep.equal([]);
    for (const id of ["p", "p.child1", "p.child2"]) expect(statuses(pm, id).at(-1)).to.equal("killed: cascade");
  });

  it("tracks a method returning an async generator until its iteration ends", async () => {
    const seen: number[] = [];
    const iteration = orders.stream("s", 3);
    expect(pm.list().map((t) => t.id)).to.deep.equal(["s"]);
    for await (const value of iteration) {
      seen.push(value);
      expect(pm.list().map((t) => t.id)).to.deep.equal(["s"]);
    }
    expect(seen).to.deep.equal([0, 1, 2]);
    expect(statuses(pm, "s")).to.deep.equal(["init", "item 0", "item 1", "item 2", "ended"]);
  });

  it("ends an async generator's task when the consumer stops early", async () => {
    for await (const value of orders.stream("early", 10)) if (value === 1) break;
    expect(pm.list()).to.deep.equal([]);
    expect(statuses(pm, "early").at(-1)).to.equal("ended");
  });

  it("rejects wrong options when applied, naming the option", () => {
    expect(() => Tracked({ name: 3 } as never)).to.throw(TypeError, /"name" 3: must be string/);
    expect(() => Tracked({ id: "fixed" } as never)).to.throw(TypeError, /"id" "fixed": must be a function/);
    expect(() => Tracked({ forbid: true } as never)).to.throw(TypeError, /unknown @Tracked option "forbid"/);
  });

  it("runs a call whose computed id is unusable under a generated id, saying why on the task", () => {
    pm.setOptions({ onError: () => {} });
    class Bad {
      constructor(readonly pm: ProcessManager) {}
      @Tracked({ id: () => "" })
      run() {
        return currentTask()!.id;
      }
    }
    const id = new Bad(pm).run();
    expect(id).to.match(/^[0-9a-z]+$/);
    expect(pm.get(id)!.attrs["proclist.error"]).to.contain("is not a task id").and.contain("must not be empty");
  });

  describe("which manager", () => {
    it("uses the root container's singleton when the instance holds none", () => {
      class Plain {
        @Tracked({ id: () => "root-manager-spec" })
        work() {}
      }
      new Plain().work();
      const root = container.resolve(ProcessManager);
      expect(root).to.equal(container.resolve(ProcessManager));
      expect(root.get("root-manager-spec")?.outcome).to.equal("ended");
    });

    it("uses the manager a child container injected into the instance", () => {
      @injectable()
      class Scoped {
        constructor(readonly manager: ProcessManager) {}
        @Tracked({ id: () => "child-container-spec" })
        work() {}
      }
      const child = container.createChildContainer();
      const own = new ProcessManager();
      child.registerInstance(ProcessManager, own);
      child.resolve(Scoped).work();
      expect(own.get("child-container-spec")?.outcome).to.equal("ended");
      expect(container.resolve(ProcessManager).get("child-container-spec")).to.equal(undefined);
    });
  });
});
