import { expect } from "chai";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { currentTask, ProcessManager, Tracked } from "../../lib";
import { freshManager, rejectionOf, thrownBy } from "../helpers";

const run = promisify(execFile);

/** Tasks `stats` counts as running, over every name. */
function running(pm: ProcessManager): number {
  return pm.stats.snapshot().reduce((sum, s) => sum + s.running, 0);
}

function expectNothingLive(pm: ProcessManager): void {
  expect(pm.list()).to.deep.equal([]);
  expect(pm.size).to.equal(0);
  expect(running(pm)).to.equal(0);
}

/** A Promise whose `then` throws: a subclass with a broken override. */
class BrokenPromise<T> extends Promise<T> {
  override then(): never {
    throw new Error("then is broken");
  }
}

/** A query builder in the style of Knex or Mongoose: it runs its query only when `then` is called. */
class QueryBuilder {
  executed = 0;
  readonly wheres: string[] = [];
  where(clause: string): this {
    this.wheres.push(clause);
    return this;
  }
  then<R>(resolve: (rows: string[]) => R, reject?: (error: unknown) => R): Promise<R> {
    this.executed++;
    return Promise.resolve(this.wheres).then(resolve, reject);
  }
}

class Service {
  constructor(readonly pm: ProcessManager) {}

  @Tracked()
  broken(): PromiseLike<number> {
    return new BrokenPromise<number>((resolve) => resolve(1));
  }

  @Tracked()
  thenThrows(): PromiseLike<number> {
    return {
      then: () => {
        throw new Error("then threw");
      },
    };
  }

  @Tracked()
  query(): QueryBuilder {
    return new QueryBuilder().where("id = 1");
  }

  @Tracked()
  down(depth: number): number {
    return this.down(depth + 1);
  }

  @Tracked()
  async downAsync(depth: number): Promise<number> {
    return this.downAsync(depth + 1);
  }
}

/** Calls `fn` from `frames` untracked frames deeper, so that the overflow lands at another point of the tracking code. */
function atDepth<T>(frames: number, fn: () => T): T {
  return frames === 0 ? fn() : atDepth(frames - 1, fn);
}

describe("nothing stays running forever", function () {
  // The overflow spec runs 48 recursions of ~3,000 tracked levels each: ~5 s idle, ~15 s on a busy machine.
  this.timeout(120_000);
  let pm: ProcessManager;
  let service: Service;
  beforeEach(() => {
    pm = freshManager();
    service = new Service(pm);
  });

  it("ends the task of a dropped async generator once it is garbage-collected, as aborted", async () => {
    const { stdout } = await run(process.execPath, ["--expose-gc", join(__dirname, "fixtures", "dropped-generators.js")]);
    const result = JSON.parse(stdout);
    expect(result.liveBefore).to.be.above(0);
    expect(result).to.deep.include({ live: 0, running: 0 });
    expect(result.outcomes).to.have.length(1);
    expect(result.outcomes[0]).to.match(/^aborted: abandoned: the async generator was dropped/);
  });

  it("ends the task when a returned Promise's then throws, and the caller gets the error", async () => {
    const error = await rejectionOf(Promise.resolve().then(() => service.broken()));
    expect(error).to.have.property("message", "then is broken");
    expectNothingLive(pm);
    expect(pm.finished()[0]).to.include({ outcome: "aborted", error: "then is broken" });
  });

  it("passes a thenable whose then throws through untouched: the task ends, the caller's await gets the error", async () => {
    const result = service.thenThrows();
    expectNothingLive(pm);
    expect(await rejectionOf(Promise.resolve().then(() => result))).to.have.property("message", "then threw");
  });

  it("ends every frame's task when nested tracked calls overflow the stack, wherever the overflow lands", async () => {
    for (let frames = 0; frames < 24; frames++) {
      expect(thrownBy(() => atDepth(frames, () => service.down(0)))).to.be.instanceOf(RangeError);
      expectNothingLive(pm);
      // and the caller is back in its own context, not in a task of the overflowed recursion
      expect(currentTask()).to.equal(undefined);
      expect(await rejectionOf(atDepth(frames, () => service.downAsync(0)))).to.be.instanceOf(RangeError);
      expectNothingLive(pm);
      expect(currentTask()).to.equal(undefined);
    }
    expect(pm.stats.snapshot().find((s) => s.name === "Service.down")!.aborted).to.be.above(100);
  });

  it("returns a lazy thenable (a query builder) untouched and unexecuted; its task ends as the method returns", async () => {
    const query = service.query();
    expect(query).to.be.instanceOf(QueryBuilder);
    expect(query.executed).to.equal(0);
    expectNothingLive(pm);
    expect(pm.finished()[0]).to.include({ name: "Service.query", outcome: "ended" });
    expect(await query.where("active")).to.deep.equal(["id = 1", "active"]);
    expect(query.executed).to.equal(1);
  });
});
