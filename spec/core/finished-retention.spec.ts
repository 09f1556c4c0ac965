import { expect } from "chai";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { freshManager } from "../helpers";

setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

describe("a kept finished task", () => {
  it("holds nothing its signal's listeners hold (a request's response, a fetch), ended or killed", async () => {
    const pm = freshManager({ keepFinished: 10 });
    const held: WeakRef<object>[] = [];
    for (const kill of [false, true]) {
      const id = kill ? "killed" : "ended";
      const done = pm.run(
        (task) =>
          new Promise<void>((resolve, reject) => {
            const big = { payload: new Array(1000).fill(id) };
            held.push(new WeakRef(big));
            task.signal.addEventListener("abort", () => reject(big.payload.length > 0 ? task.signal.reason : undefined), { once: true });
            if (!kill) setImmediate(resolve);
          }),
        { id },
      );
      if (kill) pm.kill(id, "enough");
      await done.catch(() => undefined);
    }
    expect(pm.finished().map((t) => t.id)).to.deep.equal(["ended", "killed"]);
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    expect(held.map((ref) => ref.deref() === undefined)).to.deep.equal([true, true]);
    // The signal a caller asks for after the end still tells how the task ended.
    expect(pm.get("killed")!.signal.aborted).to.equal(true);
    expect(pm.get("ended")!.signal.aborted).to.equal(false);
  });
});
