import { expect } from "chai";
import { currentTask, ProcessManager, Tracked, type Task } from "../../lib";
import { freshManager } from "../helpers";

/** The same recursion, untracked and tracked; each records how deep it got before the stack ran out. */
class Recursion {
  reached = 0;
  constructor(readonly pm: ProcessManager) {}
  untracked(depth: number): number {
    this.reached = depth;
    return this.untracked(depth + 1);
  }
  @Tracked()
  tracked(depth: number): number {
    this.reached = depth;
    return this.tracked(depth + 1);
  }
  async untrackedAsync(depth: number): Promise<number> {
    this.reached = depth;
    return this.untrackedAsync(depth + 1);
  }
  @Tracked()
  async trackedAsync(depth: number): Promise<number> {
    this.reached = depth;
    return this.trackedAsync(depth + 1);
  }
}

/** How deep `method` recursed before the stack overflowed (a RangeError, thrown or as the rejection). */
async function depthOf(recursion: Recursion, method: (depth: number) => unknown): Promise<number> {
  recursion.reached = 0;
  let error: unknown;
  try {
    await method.call(recursion, 0);
  } catch (e) {
    error = e;
  }
  expect(error).to.be.instanceOf(RangeError);
  return recursion.reached;
}

/** Replaces `task.parent` by an accessor that counts its reads, to count the work of a scan without timing it. */
function countParentReads(tasks: Task[]): { reads: number } {
  const counter = { reads: 0 };
  for (const task of tasks) {
    const parent = task.parent;
    Object.defineProperty(task, "parent", {
      get: () => {
        counter.reads++;
        return parent;
      },
    });
  }
  return counter;
}

describe("deep nesting", () => {
  it("kills the root of 10,000 nested live tasks with a scan linear in their number", () => {
    const pm = freshManager();
    const tasks: Task[] = [];
    let parent: Task | undefined;
    for (let i = 0; i < 10_000; i++) tasks.push((parent = pm.begin(`t${i}`, "nested", undefined, false, false, parent)));
    // A few finished links in the chain must not cut it.
    pm.end(tasks[5_000], "ended");
    const counter = countParentReads(tasks);
    pm.kill("t0", "storm");
    expect(tasks.filter((t) => t.running && !t.cancelling)).to.deep.equal([]);
    // A walk to the root per task read ~50 million parents; one memo per ancestor reads ~2 per task.
    expect(counter.reads).to.be.below(3 * tasks.length);
  });

  // Stack, not time: the depths are counted, and the stack is the same for both (Node's default).
  // Through a wrapping function and AsyncLocalStorage.run a level cost ~10 untracked levels.
  it("costs a level of tracked recursion at most 4 levels of the same untracked recursion, sync and async, and ends every task", async () => {
    const pm = freshManager();
    const recursion = new Recursion(pm);
    const untracked = await depthOf(recursion, recursion.untracked);
    const tracked = await depthOf(recursion, recursion.tracked);
    expect(tracked).to.be.at.least(untracked / 4);
    const untrackedAsync = await depthOf(recursion, recursion.untrackedAsync);
    const trackedAsync = await depthOf(recursion, recursion.trackedAsync);
    expect(trackedAsync).to.be.at.least(untrackedAsync / 4);
    expect(pm.size).to.equal(0);
    expect(currentTask()).to.equal(undefined);
    // Every level's task ended aborted (the deepest level or two may have overflowed before or after its body ran).
    const stats = pm.stats.snapshot().find((s) => s.name === "Recursion.tracked")!;
    expect(stats.running).to.equal(0);
    expect(stats.aborted).to.be.within(tracked, tracked + 2);
  });

  it("kills only the subtree: siblings of the killed task and their children run on", () => {
    const pm = freshManager();
    const root = pm.begin("root", "n", undefined, false, false, undefined);
    const left = pm.begin("left", "n", undefined, false, false, root);
    const right = pm.begin("right", "n", undefined, false, false, root);
    const leftChild = pm.begin("left.child", "n", undefined, false, false, left);
    const rightChild = pm.begin("right.child", "n", undefined, false, false, right);
    pm.kill("left");
    expect([root, left, right, leftChild, rightChild].map((t) => t.cancelling)).to.deep.equal([false, true, false, true, false]);
  });
});
