import { expect } from "chai";
import { DuplicateTaskError, type Task } from "../../lib";
import { freshManager, thrownBy } from "../helpers";

/** Starts a task with a generated id, the way `@Tracked` does. */
function begin(pm: ReturnType<typeof freshManager>): Task {
  return pm.begin(undefined, "job", undefined, undefined, undefined, undefined);
}

describe("the live task set", () => {
  it("finds a long-lived generated-id task after thousands of newer ones came and went", () => {
    const pm = freshManager({ keepFinished: 0 });
    const old = begin(pm);
    for (let i = 0; i < 5_000; i++) pm.end(begin(pm), "ended");
    expect(pm.get(old.id)).to.equal(old);
    expect(pm.tasks().next().value).to.equal(old);
    pm.end(old, "ended");
    expect(pm.get(old.id)).to.equal(undefined);
    expect(pm.size).to.equal(0);
  });

  it("spells no new id out at start while only generated ids are live, even one displaced from its slot", () => {
    const pm = freshManager({ keepFinished: 0 });
    // Generated ids are base-36 numbers: count how many a start spells out.
    const spellings = (start: () => unknown): number => {
      const toString = Number.prototype.toString;
      let count = 0;
      Number.prototype.toString = function (this: number, radix?: number) {
        if (radix === 36) count++;
        return toString.call(this, radix);
      };
      try {
        start();
      } finally {
        Number.prototype.toString = toString;
      }
      return count;
    };
    const old = begin(pm);
    for (let i = 0; i < 1_000; i++) pm.end(begin(pm), "ended");
    expect(pm.get(old.id), "the displaced task is still found").to.equal(old);
    expect(spellings(() => begin(pm))).to.equal(0);
    const chosen = pm.start("chosen");
    expect(
      spellings(() => begin(pm)),
      "with a chosen id live, a new id is checked against it",
    ).to.equal(1);
    pm.done(chosen.id);
    expect(spellings(() => begin(pm))).to.equal(0);
  });

  it("keeps thousands of live tasks findable and in start order", () => {
    const pm = freshManager();
    const started = Array.from({ length: 3_000 }, (_, i) => (i % 3 === 0 ? pm.start(`named-${i}`) : begin(pm)) as Task);
    expect(pm.size).to.equal(3_000);
    for (const task of started) expect(pm.get(task.id)).to.equal(task);
    expect([...pm.tasks()]).to.deep.equal(started);
    for (const task of started.filter((_, i) => i % 2 === 0)) pm.end(task, "ended");
    expect([...pm.tasks()]).to.deep.equal(started.filter((_, i) => i % 2 === 1));
    expect(pm.list().map((t) => t.id)).to.deep.equal(started.filter((_, i) => i % 2 === 1).map((t) => t.id));
  });

  it("answers undefined for ids that merely parse like generated ones", () => {
    const pm = freshManager();
    const task = begin(pm);
    expect(pm.get("0" + task.id)).to.equal(undefined);
    expect(pm.get(task.id.toUpperCase() === task.id ? "zz" : task.id.toUpperCase())).to.equal(undefined);
    expect(pm.get("not an id")).to.equal(undefined);
    expect(pm.get("")).to.equal(undefined);
  });

  it("refuses a chosen id equal to a live generated one, and generates around live chosen ids", () => {
    const pm = freshManager();
    const first = begin(pm);
    expect(thrownBy(() => pm.start(first.id))).to.be.instanceOf(DuplicateTaskError);
    const seq = parseInt(first.id, 36);
    const taken = [1, 2, 3].map((n) => pm.start((seq + n).toString(36)));
    const next = begin(pm);
    expect(taken.map((t) => t.id)).not.to.include(next.id);
    expect(pm.get(next.id)).to.equal(next);
    for (const t of taken) expect(pm.get(t.id)).to.equal(t);
  });

  it("lets an iteration that is under way finish over a stable list while tasks end and start", () => {
    const pm = freshManager({ keepFinished: 0 });
    const first = Array.from({ length: 100 }, () => begin(pm));
    const seen: Task[] = [];
    for (const task of pm.tasks()) {
      seen.push(task);
      // Ending many tasks mid-iteration compacts the list; starting more grows it.
      if (seen.length === 10) for (const t of first.slice(50)) pm.end(t, "ended");
      if (seen.length === 20) for (let i = 0; i < 100; i++) pm.end(begin(pm), "ended");
    }
    expect(seen).to.deep.equal(first.slice(0, 50));
  });
});
