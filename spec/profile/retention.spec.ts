import { expect } from "chai";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { profileCpu } from "../../lib";
import { freshManager } from "../helpers";
import { work } from "./burners";

setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

describe("a CPU profile's memory", () => {
  it("keeps no task that ended alive while it runs (a busy service profiled for a minute ran millions), yet names them in its table", async () => {
    const pm = freshManager({ keepFinished: 0 });
    const stop = new AbortController();
    const profile = profileCpu(60, stop.signal);
    const held: WeakRef<object>[] = [];
    try {
      for (let i = 0; i < 100; i++)
        await pm.run(
          async (task) => {
            held.push(new WeakRef(task));
            work(1);
            await new Promise((resolve) => setImmediate(resolve));
            work(1);
          },
          { id: `short-${i}`, name: "Short.job" },
        );
      await new Promise((resolve) => setImmediate(resolve));
      collect();
      // The manager's own start-order list drops ended tasks in batches (up to 32 at a time): the
      // older half is past any such batch.
      expect(held.slice(0, 50).filter((ref) => ref.deref() !== undefined)).to.have.length(0);
    } finally {
      stop.abort();
    }
    const { table } = await profile;
    expect(table.names.map((row) => row.name)).to.include("Short.job");
    expect(table.tasks.filter((row) => row.name === "Short.job").map((row) => row.id)).to.satisfy((ids: string[]) =>
      ids.every((id) => /^short-\d+$/.test(id)),
    );
  });
});
