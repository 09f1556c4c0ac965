import { expect } from "chai";
import { setTimeout as sleep } from "node:timers/promises";
import { Attr, ProcessManager, Status, TaskId, Tracked } from "../../lib";
import { freshManager, statuses } from "../helpers";

class Api {
  constructor(readonly pm: ProcessManager) {}

  @Tracked()
  async request(@TaskId() id: string, @Attr("n") n: number) {
    for (let step = 0; step < 4; step++) {
      // random waits interleave the 1,000 calls' phases
      await sleep(Math.floor(Math.random() * 4));
      this.phase(id, step);
    }
    return n;
  }

  @Status((id: string, step: number) => `${id}/phase ${step}`)
  phase(_id: string, _step: number) {}
}

describe("1,000 concurrent tracked calls", () => {
  it("keep each task's own statuses in its history and leave the live list empty", async () => {
    const pm = freshManager({ keepFinished: 1000 });
    const api = new Api(pm);
    const calls = Array.from({ length: 1000 }, (_, n) => api.request(`r${n}`, n));
    expect(pm.size).to.equal(1000);
    expect(await Promise.all(calls)).to.deep.equal(Array.from({ length: 1000 }, (_, n) => n));
    expect(pm.list()).to.deep.equal([]);
    for (let n = 0; n < 1000; n++) {
      const id = `r${n}`;
      expect(statuses(pm, id)).to.deep.equal(["init", `${id}/phase 0`, `${id}/phase 1`, `${id}/phase 2`, `${id}/phase 3`, "ended"]);
    }
    const [stats] = pm.stats.snapshot();
    expect(stats).to.include({ name: "Api.request", started: 1000, ended: 1000, running: 0 });
  });
});
