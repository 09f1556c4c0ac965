import { expect } from "chai";
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Tracked, type ProcessManager } from "../../lib";
import { waitsOf } from "../../lib/core/waits";
import type { Task } from "../../lib/core/task";
import { freshManager, listenOnLoopback, statuses, waitFor } from "../helpers";

/** Code that awaits a call to a server that never answers, never passing its task's signal. */
class Payments {
  /** What the awaited call ended with, as the method saw it. */
  seen: unknown;

  constructor(
    readonly pm: ProcessManager,
    readonly base: string,
  ) {}

  @Tracked({ id: (id: string) => id })
  async charge(id: string): Promise<string> {
    try {
      return await (await fetch(`${this.base}/charge/${id}`)).text();
    } catch (error) {
      this.seen = error;
      throw error;
    }
  }

  @Tracked({ id: (id: string) => id })
  refund(id: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(`${this.base}/refund/${id}`, (res) => resolve(String(res.statusCode)));
      req.on("error", (error) => {
        this.seen = error;
        reject(error);
      });
      req.end();
    });
  }
}

describe("forcing a task that awaits an operation it never gave its signal", () => {
  let upstream: Server;
  let pm: ProcessManager;
  let payments: Payments;
  /** Requests the upstream received and holds for ever. */
  let held: number;

  beforeEach(async () => {
    held = 0;
    upstream = createServer(() => void held++);
    const { url } = await listenOnLoopback(upstream);
    pm = freshManager();
    payments = new Payments(pm, url);
  });
  afterEach(async () => {
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it("aborts a pending fetch after the grace: the method sees the error, the task ends killed, the rung named in the history", async () => {
    const charging = payments.charge("c1");
    charging.catch(() => undefined);
    await waitFor("the fetch held upstream", () => held === 1 && waitsOf(pm.get("c1") as Task).length === 1);
    const result = await pm.kill("c1", "upstream hangs", { force: true, graceMs: 200, by: "ops" });
    expect(result).to.deep.include({ ended: true, outcome: "killed", cooperated: false, rungs: ["waits"], ignoringCancel: false });
    expect(payments.seen).to.be.instanceOf(TypeError);
    expect((payments.seen as Error).cause, "the fetch failed with the task's cancel").to.equal(pm.get("c1")!.cancel);
    const history = statuses(pm, "c1");
    expect(history.find((s) => s.startsWith("[force waits"))).to.match(
      /^\[force waits by ops: aborted fetch GET 127\.0\.0\.1:\d+\/charge\/c1\]$/,
    );
    expect(history.at(-1)).to.equal("killed: upstream hangs");
  });

  it("destroys a pending http.request the same way", async () => {
    const refunding = payments.refund("r1");
    refunding.catch(() => undefined);
    await waitFor("the request held upstream", () => held === 1 && waitsOf(pm.get("r1") as Task).length === 1);
    const result = await pm.kill("r1", undefined, { force: true, graceMs: 0 });
    expect(result).to.deep.include({ ended: true, outcome: "killed", rungs: ["waits"] });
    expect(payments.seen).to.equal(pm.get("r1")!.cancel);
  });

  it("destroys an http.request still waiting for a free socket of its agent (Node 22 on), leaving the agent's other requests alone", async function () {
    // Node 20 publishes a request only once it has a socket: there, a queued request is no wait yet.
    if (Number(process.versions.node.split(".")[0]) < 22) this.skip();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (id: string, path: string) =>
      pm.run(
        () =>
          new Promise<string>((resolve, reject) => {
            const req = request(`${payments.base}${path}`, { agent }, (res) => resolve(String(res.statusCode)));
            req.on("error", reject);
            req.end();
          }),
        { id },
      );
    const first = get("first", "/first");
    first.catch(() => undefined);
    await waitFor("the first request held upstream", () => held === 1);
    const queued = get("queued", "/queued");
    const seen = queued.catch((error: unknown) => error);
    await waitFor("the queued request's wait", () => waitsOf(pm.get("queued") as Task).length === 1);
    const result = await pm.kill("queued", "pool exhausted", { force: true, graceMs: 0, by: "ops" });
    expect(result).to.deep.include({ ended: true, outcome: "killed", rungs: ["waits"] });
    expect(await seen).to.equal(pm.get("queued")!.cancel);
    expect(pm.get("first")!.running, "the request holding the socket is another task's").to.equal(true);
    expect(waitsOf(pm.get("first") as Task).map((w) => w.target)).to.deep.equal([`GET ${payments.base.slice(7)}/first`]);
    agent.destroy();
    await first.catch(() => undefined);
  });

  it("aborts a fetch still queued for its connection (behind another task's request), which is then never sent", async () => {
    // Node's own undici Agent with one connection: a second request waits for the first's answer.
    await (await fetch("data:,warm")).text();
    const dispatchers = globalThis as unknown as Record<symbol, object | undefined>;
    const global = (dispatchers[Symbol.for("undici.globalDispatcher.2")] ?? dispatchers[Symbol.for("undici.globalDispatcher.1")])!;
    const agent = new (global.constructor as new (options: object) => { close(): Promise<void> })({ connections: 1 });
    const paths: string[] = [];
    upstream.removeAllListeners("request");
    const answers: (() => void)[] = [];
    upstream.on("request", (req: IncomingMessage, res: ServerResponse) => {
      paths.push(String(req.url));
      answers.push(() => res.end("done"));
    });
    const get = (id: string, path: string) =>
      pm.run(async () => (await fetch(`${payments.base}${path}`, { dispatcher: agent } as RequestInit)).text(), { id });
    const first = get("first", "/first");
    await waitFor("the first request upstream", () => paths.length === 1);
    const queued = get("queued", "/queued");
    const seen = queued.catch((error: unknown) => error);
    await waitFor("the queued fetch's wait", () => waitsOf(pm.get("queued") as Task).length === 1);
    const result = await pm.kill("queued", "connection busy", { force: true, graceMs: 0, by: "ops" });
    expect(result).to.deep.include({ ended: true, outcome: "killed", rungs: ["waits"] });
    expect(await seen).to.be.instanceOf(Error);
    expect(pm.get("first")!.running, "the request holding the connection is another task's").to.equal(true);
    answers[0]!();
    expect(await first).to.equal("done");
    // A request after it goes out on the connection: the aborted one was taken out of the queue, never sent.
    const after = get("after", "/after");
    await waitFor("the next request upstream", () => paths.length === 2);
    answers[1]!();
    expect(await after).to.equal("done");
    expect(paths).to.deep.equal(["/first", "/after"]);
    await agent.close();
  });
});
