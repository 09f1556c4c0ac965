import { expect } from "chai";
import type { Task } from "../../lib";
import { freshManager } from "../helpers";

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

describe("issue 13: deep nesting (item 13)", () => {
  it("kills the root of 10,000 nested live tasks with a scan linear in their number", () => {
    const pm = freshManager();
    const tasks: Task[] = [];
    let parent: Task | undefined;
    for (let i = 0; i < 10_000; i++) tasks.push((parent = pm.begin(`t${i}`, "nested", undefined, false, false, parent)));
    // A few finished links in the chain must not cut it.
    pm.finish(tasks[5_000], "ended");
    const counter = countParentReads(tasks);
    pm.kill("t0", "storm");
    expect(tasks.filter((t) => t.running && !t.cancelling)).to.deep.equal([]);
    // A walk to the root per task read ~50 million parents; one memo per ancestor reads ~2 per task.
    expect(counter.reads).to.be.below(3 * tasks.length);
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
