import { expect } from "chai";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Worker } from "node:worker_threads";
import { Piscina } from "piscina";
import { runInPool, Tracked, type ProcessManager } from "../../lib";
import { freshManager, statuses } from "../helpers";
import { until } from "../requests/fixture";

const run = promisify(execFile);
const entry = join(__dirname, "..", "..", "lib", "index.js");
const filename = join(__dirname, "fixtures", "spin-worker.js");

type Answer = { doubled: number; threadId: number };

class Reports {
  /** What `build` saw when its work ended: the answer, or the error. */
  seen: unknown;
  /** Set to 1 by the worker once a spinning task runs in it. */
  readonly started = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    readonly pm: ProcessManager,
    readonly pool: Piscina,
  ) {}

  @Tracked({ id: (input: { id: string }) => input.id })
  async build(input: { id: string; spin?: boolean; value?: number }): Promise<Answer> {
    try {
      return (this.seen = await runInPool<Answer>(this.pool, { spin: input.spin, started: this.started, value: input.value }));
    } catch (error) {
      this.seen = error;
      throw error;
    }
  }
}

describe("forcing work run in a piscina worker thread (runInPool)", () => {
  let pm: ProcessManager;
  let pool: Piscina;
  let reports: Reports;

  beforeEach(() => {
    pm = freshManager();
    // One thread: the task after a forced one lands on the worker that replaced it (workerpool's issue 548 was the next task hitting the killed worker).
    pool = new Piscina({ filename, minThreads: 1, maxThreads: 1 });
    reports = new Reports(pm, pool);
  });
  afterEach(() => pool.destroy());

  it("terminates the worker of a CPU-bound loop; the method sees the abort, the task ends killed, and the next task on the pool runs normally", async () => {
    const first = await reports.build({ id: "warm", value: 1 });
    const spinning = reports.build({ id: "spin", spin: true });
    spinning.catch(() => undefined);
    await until(() => Atomics.load(reports.started, 0) === 1);
    const [worker] = pool.threads as Worker[];
    const gone = new Promise<number>((resolve) => worker.once("exit", resolve));
    const result = await pm.kill("spin", "runaway", { force: true, graceMs: 200, by: "ops" });
    expect(result).to.deep.include({ ended: true, outcome: "killed", cooperated: false, rungs: ["worker"], ignoringCancel: false });
    await gone;
    expect(reports.seen).to.be.instanceOf(Error).with.property("name", "AbortError");
    expect(statuses(pm, "spin")).to.deep.equal([
      "init",
      "[cancel request: runaway]",
      "[force worker by ops: worker thread terminated]",
      "killed: runaway",
    ]);
    const next = await reports.build({ id: "next", value: 21 });
    expect(next.doubled).to.equal(42);
    expect(next.threadId, "a new worker thread").to.not.equal(first.threadId);
    expect(pm.get("next")).to.include({ outcome: "ended" });
  });

  it("forces work a plain cancel could not reach", async () => {
    const spinning = reports.build({ id: "spin", spin: true });
    spinning.catch(() => undefined);
    await until(() => Atomics.load(reports.started, 0) === 1);
    pm.kill("spin", "polite");
    const result = await pm.kill("spin", undefined, { force: true, graceMs: 0 });
    // The cancel alone did not end it: the force did.
    expect(result).to.deep.include({ cooperated: false, rungs: ["worker"], ended: true });
  });

  it("runs as pool.run outside a task", async () => {
    expect((await runInPool<Answer>(pool, { value: 2 })).doubled).to.equal(4);
  });

  it("is not loaded by importing proclist", async () => {
    const loaded = JSON.parse(
      (await run(process.execPath, ["-e", `require(${JSON.stringify(entry)}); console.log(JSON.stringify(Object.keys(require.cache)))`]))
        .stdout,
    ) as string[];
    expect(loaded.filter((file) => /node_modules[\\/]piscina[\\/]/.test(file))).to.deep.equal([]);
  });
});
