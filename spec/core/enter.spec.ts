import { expect } from "chai";
import { currentTask } from "../../lib";
import { freshManager } from "../helpers";

describe("ProcessManager", () => {
  describe(".enter()", () => {
    it("runs the function inside the task's context, across awaits, and leaves the task running", async () => {
      const pm = freshManager();
      const task = pm.begin("r", "GET /x", undefined, undefined, undefined, undefined);
      const seen = await pm.enter(task, async () => {
        const before = currentTask();
        await new Promise((resolve) => setTimeout(resolve, 1));
        const child = pm.run(() => currentTask()!.id, { id: "child" });
        return [before, currentTask(), child];
      });
      expect(seen).to.deep.equal([task, task, "child"]);
      expect(pm.get("child")!.parent).to.equal(task);
      expect(task.running).to.equal(true);
      pm.end(task, "ended");
      expect(pm.finished().map((t) => t.id)).to.deep.equal(["child", "r"]);
    });
  });
});
