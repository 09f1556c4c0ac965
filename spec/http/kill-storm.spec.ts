import { expect } from "chai";
import { Agent, request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { ProcessManager, type ServedApi } from "../../lib";
import { call, startApi } from "./http-helpers";

const LIVE = 2000;
const LATECOMERS = 2000;

describe("a kill storm over HTTP", function () {
  this.timeout(120_000);
  let api: ServedApi & { manager: ProcessManager };
  let agent: Agent;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(async () => {
    // Keeps every finished task, so each one's outcome can be checked.
    api = await startApi({ manager: new ProcessManager({ keepFinished: 10_000 }) });
    agent = new Agent({ keepAlive: true, maxSockets: 64 });
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(async () => {
    process.off("unhandledRejection", onUnhandled);
    agent.destroy();
    await api.close();
  });

  /** A task that waits, abortably, until killed or for `ms`. */
  function startTask(pm: ProcessManager, ms: number): { id: string; done: Promise<unknown> } {
    let id = "";
    const done = pm
      .run(async (task) => {
        id = task.id;
        task.status("waiting");
        await sleep(ms, undefined, { signal: task.signal });
        task.status("finishing");
      })
      .catch((error: unknown) => error);
    return { id, done };
  }

  function kill(id: string): Promise<number> {
    const url = new URL(api.url);
    const body = JSON.stringify({ message: "storm" });
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: "DELETE",
          path: `/procs/${id}`,
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode!));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  it("cancels 2,000 live tasks at once while new ones keep starting; none is left, the server keeps answering", async () => {
    const pm = api.manager;
    const targets = Array.from({ length: LIVE }, () => startTask(pm, 600_000));
    const latecomers: { id: string; done: Promise<unknown> }[] = [];
    let starting = true;
    const starter = (async () => {
      while (starting && latecomers.length < LATECOMERS) {
        for (let i = 0; i < 5; i++) latecomers.push(startTask(pm, Math.random() * 20));
        await sleep(1);
      }
    })();

    const statuses = await Promise.all(targets.map((t) => kill(t.id)));
    expect(
      statuses.filter((s) => s !== 200),
      "every kill answered 200",
    ).to.deep.equal([]);
    // The server keeps answering during and after the storm.
    expect((await call(api, "GET", "/stats")).status).to.equal(200);
    starting = false;
    await starter;
    await Promise.all([...targets, ...latecomers].map((t) => t.done));

    for (const t of targets) expect(pm.get(t.id)?.outcome, t.id).to.equal("killed");
    for (const t of latecomers) expect(pm.get(t.id)?.outcome, t.id).to.be.oneOf(["ended", "killed"]);
    expect(pm.size, "no task left live").to.equal(0);
    expect((await call(api, "GET", "/procs/")).json.procs).to.deep.equal([]);
    const stats = pm.stats.snapshot();
    const killed = stats.reduce((n, s) => n + s.killed, 0);
    const ended = stats.reduce((n, s) => n + s.ended, 0);
    const aborted = stats.reduce((n, s) => n + s.aborted, 0);
    expect(killed, "the storm's targets all ended killed").to.be.at.least(LIVE);
    expect(killed + ended, "every task ended killed or ended").to.equal(LIVE + latecomers.length);
    expect(aborted).to.equal(0);
    expect(unhandled, "no unhandled rejection").to.deep.equal([]);
  });
});
