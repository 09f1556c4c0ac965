import { expect } from "chai";
import { ProcessManager, Tracked, profileCpu } from "../../lib";
import { call, startApi } from "../http/http-helpers";
import { freshManager, statuses, waitFor } from "../helpers";
import { hold } from "./burners";
import { loopWatch } from "../../lib/core/loop-watch";

const BLOCKED = /^blocked the event loop \d+\.\d s$/;

class Jobs {
  constructor(readonly pm: ProcessManager) {}

  @Tracked({ name: "Jobs.crunch", id: (id: string) => id })
  crunch(_id: string, ms: number): number {
    hold(ms);
    return ms;
  }

  @Tracked({ name: "Jobs.outer", id: (id: string) => id })
  outer(id: string, ms: number): number {
    return this.crunch(`${id}-inner`, ms);
  }

  @Tracked({ name: "Jobs.later", id: (id: string) => id })
  async later(_id: string, ms: number): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    hold(ms);
  }

  @Tracked({ name: "Jobs.waiting", id: (id: string) => id })
  async waiting(_id: string, until: Promise<void>): Promise<void> {
    await until;
  }
}

describe("blame for a block of the event loop", () => {
  let pm: ProcessManager;
  let jobs: Jobs;
  let release: () => void;
  let live: Promise<void>;
  beforeEach(() => {
    pm = freshManager({ blockThresholdMs: 100 });
    jobs = new Jobs(pm);
    live = jobs.waiting("live", new Promise<void>((resolve) => (release = resolve)));
  });
  afterEach(async () => {
    release();
    await live;
  });

  it("records the block on the history of the task whose synchronous code held the loop, not on a task that was merely live", () => {
    jobs.crunch("c1", 250);
    const history = statuses(pm, "c1");
    expect(history.filter((status) => BLOCKED.test(status))).to.have.length(1);
    expect(history[history.length - 1]).to.equal("ended");
    expect(statuses(pm, "live").some((status) => BLOCKED.test(status))).to.equal(false);
    const counted: Record<string, { count: number; seconds: number }> = {};
    pm.blocks.forEach((name, totals) => (counted[name] = { ...totals }));
    expect(Object.keys(counted)).to.deep.equal(["Jobs.crunch"]);
    expect(counted["Jobs.crunch"].count).to.equal(1);
    expect(counted["Jobs.crunch"].seconds).to.be.at.least(0.25);
  });

  it("blames the innermost tracked call that held the loop, not its callers", () => {
    jobs.outer("o1", 250);
    expect(statuses(pm, "o1-inner").some((status) => BLOCKED.test(status))).to.equal(true);
    expect(statuses(pm, "o1").some((status) => BLOCKED.test(status))).to.equal(false);
    const names: string[] = [];
    pm.blocks.forEach((name) => names.push(name));
    expect(names).to.deep.equal(["Jobs.crunch"]);
  });

  it("blames a caller for its own time only, however many tracked calls inside it were blamed", () => {
    // More blamed calls inside one call than a list of the last 64 blocks held. The caller's own
    // time is its loop's and the bookkeeping of 70 tasks (more on a loaded machine, a GC pause
    // there is its own too): whoever is blamed, no time is blamed twice, so all blamed time fits
    // in the call's.
    const siblings = freshManager({ blockThresholdMs: 40 });
    const start = performance.now();
    siblings.run(
      () => {
        for (let i = 0; i < 70; i++) siblings.run(() => hold(45), { id: `inner-${i}`, name: "Batch.item" });
      },
      { id: "batch", name: "Batch.run" },
    );
    const wallSeconds = (performance.now() - start) / 1e3;
    const counted: Record<string, { count: number; seconds: number }> = {};
    siblings.blocks.forEach((name, totals) => (counted[name] = { ...totals }));
    expect(counted["Batch.item"].count).to.equal(70);
    const blamed = Object.values(counted).reduce((sum, totals) => sum + totals.seconds, 0);
    expect(blamed).to.be.at.most(wallSeconds);
  });

  it("keeps the task's status: the block is an entry of its history, then the status it had", async () => {
    const done = pm.run(
      async (task) => {
        task.status("rendering");
        hold(150);
        await new Promise((resolve) => setImmediate(resolve));
      },
      { id: "r1", name: "Report.render" },
    );
    const history = statuses(pm, "r1");
    expect(history.slice(-3)).to.satisfy((last: string[]) => last[0] === "rendering" && BLOCKED.test(last[1]) && last[2] === "rendering");
    expect(pm.list().find((info) => info.id === "r1")?.status).to.equal("rendering");
    await done;
  });

  it("counts a block after an await, which no enter sees, as unattributed rather than blaming a live task", async () => {
    const before = (await statsLoop(pm)).unattributed.count;
    await jobs.later("l1", 300);
    const loop = await waitFor("the unattributed block to be counted", async () => {
      const now = await statsLoop(pm);
      return now.unattributed.count > before ? now : undefined;
    });
    expect(loop.blocked).to.deep.equal([]);
    expect(statuses(pm, "live").some((status) => BLOCKED.test(status))).to.equal(false);
    expect(statuses(pm, "l1").some((status) => BLOCKED.test(status))).to.equal(false);
  });

  // On Node 24+ the await below begins before the profile's hooks are on, so its continuation runs
  // with no hook: the call's settling tells the log of it.
  it("names the task of a block after an await while a CPU profile runs, from the profile's log of context switches", async () => {
    const profile = profileCpu(5);
    await jobs.later("l2", 300);
    await waitFor("the block to be blamed on Jobs.later", () => statuses(pm, "l2").some((status) => BLOCKED.test(status)));
    expect(statuses(pm, "live").some((status) => BLOCKED.test(status))).to.equal(false);
    const names: string[] = [];
    pm.blocks.forEach((name) => names.push(name));
    expect(names).to.deep.equal(["Jobs.later"]);
    await profile;
  });

  it("blames no task for code outside any task that held the loop beside it while a CPU profile runs", async () => {
    const stop = new AbortController();
    const profile = profileCpu(60, stop.signal);
    try {
      await waitFor("the profile's log to run", () => loopWatch.timeByTask !== undefined);
      const from = Date.now();
      // One turn of the loop: 150 ms of code outside any task, then a tracked call blamed for its 250 ms.
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          hold(150);
          jobs.crunch("c3", 250);
          resolve();
        }),
      );
      const blocks = await waitFor("the late tick to tell of the rest", () => {
        const recent = loopWatch.recentBlocks().filter((block) => block.endTime >= from);
        const crunch = recent.findIndex((block) => block.id === "c3");
        return crunch >= 0 && crunch + 1 < recent.length ? recent.slice(crunch) : undefined;
      });
      // The call's block, then the rest of that turn told by the late tick, blamed on no task.
      expect(blocks[0]).to.include({ name: "Jobs.crunch" });
      expect(blocks[1].name).to.equal(undefined);
      const counted: Record<string, number> = {};
      pm.blocks.forEach((name, totals) => (counted[name] = totals.count));
      expect(counted).to.deep.equal({ "Jobs.crunch": 1 });
    } finally {
      stop.abort();
      await profile;
    }
  });

  it("shows the blocks in /stats and counts their seconds in proclist_loop_blocked_seconds_total{name}", async () => {
    const api = await startApi({ manager: pm, metrics: true });
    try {
      jobs.crunch("c2", 150);
      const stats = (await call(api, "GET", "/stats")).json;
      expect(stats.loop.blocked).to.have.length(1);
      expect(stats.loop.blocked[0]).to.include({ name: "Jobs.crunch", count: 1 });
      expect(stats.loop.recentBlocks.some((block: { id?: string }) => block.id === "c2")).to.equal(true);
      for (const key of ["p50", "p99", "max"]) expect(stats.loop.delayMs[key]).to.be.a("number").at.least(0);
      const metrics = (await call(api, "GET", "/metrics")).text;
      const line = metrics.split("\n").find((text) => text.startsWith('proclist_loop_blocked_seconds_total{name="Jobs.crunch"} '));
      expect(Number(line?.split(" ")[1])).to.be.at.least(0.15);
      for (const quantile of ["p50", "p99", "max"])
        expect(metrics).to.match(new RegExp(`^nodejs_eventloop_lag_${quantile}_seconds \\d`, "m"));
    } finally {
      await api.close();
    }
  });

  it("refuses a blockThresholdMs that is not a positive number", () => {
    for (const value of [0, -1, "200", Number.NaN])
      expect(() => new ProcessManager({ blockThresholdMs: value as number })).to.throw(TypeError, /blockThresholdMs/);
  });
});

async function statsLoop(pm: ProcessManager) {
  const api = await startApi({ manager: pm });
  try {
    return (await call(api, "GET", "/stats")).json.loop;
  } finally {
    await api.close();
  }
}
