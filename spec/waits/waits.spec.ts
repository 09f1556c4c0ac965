import { expect } from "chai";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import Redis from "ioredis";
import { createClient } from "redis";
import { ProcessManager, ProclistClient, Tracked, waitOn, type RemoteEvent, type ServedApi } from "../../lib";
import { abortWaits, waitsOf } from "../../lib/core/waits";
import type { Task } from "../../lib/core/task";
import { RedisServer } from "../../samples/redis-server";
import { listenOnLoopback, rejectionOf, waitFor } from "../helpers";
import { call, startApi } from "../http/http-helpers";
import { proclist } from "../cli/fixture";

/** An upstream that holds every request until released: what a task waits on. */
class HoldingServer {
  readonly held: { req: IncomingMessage; res: ServerResponse }[] = [];
  readonly server: Server = createServer((req, res) => {
    this.held.push({ req, res });
  });
  port = 0;

  async start(): Promise<this> {
    ({ port: this.port } = await listenOnLoopback(this.server));
    return this;
  }

  /** Answers every held request (with its own path, so a caller can tell answers apart). */
  releaseAll(): void {
    for (const { req, res } of this.held.splice(0)) res.end(String(req.url));
  }

  stop(): Promise<void> {
    this.releaseAll();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface WireWaitJson {
  kind: string;
  target: string;
  since: string;
}

/** The part of undici's Agent used here (Node bundles undici; the package is no dependency). */
interface BundledAgent {
  request(options: { origin: string; path: string; method: string }): Promise<{ body: { text(): Promise<string> } }>;
  close(): Promise<void>;
}

async function procs(api: ServedApi): Promise<{ id: string; name: string; waits?: WireWaitJson[] }[]> {
  return (await call(api, "GET", "/procs/")).json.procs;
}

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve(body));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("waits: what a task is waiting on", () => {
  let upstream: HoldingServer;
  let api: ServedApi & { manager: ProcessManager };
  let pm: ProcessManager;

  beforeEach(async () => {
    upstream = await new HoldingServer().start();
    api = await startApi();
    pm = api.manager;
  });
  afterEach(async () => {
    await upstream.stop();
    await api.close();
  });

  it("shows a tracked method's pending fetch on /procs/ (kind, host:port, path without its query) while it hangs, and nothing once it returned", async () => {
    class Payments {
      constructor(readonly pm: ProcessManager) {}
      @Tracked({ name: "Payments.charge" })
      async charge(port: number) {
        return (await fetch(`http://127.0.0.1:${port}/charge/42?token=s3cret#frag`)).text();
      }
    }
    const charged = new Payments(pm).charge(upstream.port);
    await waitFor("the request upstream", () => upstream.held.length === 1);
    const [proc] = await procs(api);
    expect(proc.name).to.equal("Payments.charge");
    expect(proc.waits).to.have.length(1);
    expect(proc.waits![0]).to.include({ kind: "fetch", target: `GET 127.0.0.1:${upstream.port}/charge/42` });
    expect(Date.parse(proc.waits![0].since)).to.be.closeTo(Date.now(), 60_000);
    expect(JSON.stringify(proc)).to.not.include("s3cret");

    upstream.releaseAll();
    expect(await charged).to.equal("/charge/42?token=s3cret");
    const after = await call(api, "GET", "/procs/finished");
    expect(after.json.finished[0]).to.not.have.property("waits");
  });

  it("shows a pending http.request (node:http) the same way, as kind http, and none once its response was read", async () => {
    const done = pm.run(() => httpGet(`http://localhost:${upstream.port}/orders?id=7`), { name: "orders" });
    await waitFor("the request upstream", () => upstream.held.length === 1);
    const [proc] = await procs(api);
    expect(proc.waits).to.deep.equal([{ kind: "http", target: `GET localhost:${upstream.port}/orders`, since: proc.waits![0].since }]);
    const id = proc.id;
    upstream.releaseAll();
    expect(await done).to.equal("/orders?id=7");
    expect(waitsOf(pm.get(id)!)).to.have.length(0);
  });

  it("tells the events stream each time what a task waits on changes (a wait event with its waits now, [] once none is left)", async () => {
    const controller = new AbortController();
    const seen: RemoteEvent[] = [];
    const reading = (async () => {
      for await (const event of new ProclistClient(api.url).events({ signal: controller.signal })) seen.push(event);
    })().catch(() => undefined);
    await waitFor("the stream to be open", () => api.manager.events.active);
    const done = pm.run(() => fetch(`http://127.0.0.1:${upstream.port}/stream?k=v`).then((r) => r.text()), {
      id: "streamed",
      name: "streamed",
    });
    await waitFor("the wait event", () => seen.some((e) => e.type === "wait"));
    upstream.releaseAll();
    await done;
    await waitFor("the task's end", () => seen.some((e) => e.type === "done"));
    controller.abort();
    await reading;
    const waits = seen.filter((e): e is Extract<RemoteEvent, { type: "wait" }> => e.type === "wait");
    expect(waits.map((e) => e.id)).to.deep.equal(["streamed", "streamed"]);
    expect(waits[0].waits.map((w) => [w.kind, w.target])).to.deep.equal([["fetch", `GET 127.0.0.1:${upstream.port}/stream`]]);
    expect(waits[0].waits[0].since).to.be.a("number");
    expect(waits[1].waits).to.deep.equal([]);
    expect(seen.map((e) => e.type)).to.deep.equal(["start", "wait", "wait", "done"]);
  });

  it("omits `waits` from a task waiting on nothing, so the original's clients read the list unchanged", async () => {
    let release!: () => void;
    const running = pm.run(() => new Promise<void>((resolve) => (release = resolve)), { name: "idle" });
    const [proc] = await procs(api);
    expect(proc).to.not.have.property("waits");
    release();
    await running;
  });

  it("records nothing for an operation outside any task", async () => {
    const outside = fetch(`http://127.0.0.1:${upstream.port}/outside`).then((r) => r.text());
    const plain = httpGet(`http://127.0.0.1:${upstream.port}/plain`);
    let release!: () => void;
    const running = pm.run(() => new Promise<void>((resolve) => (release = resolve)), { name: "bystander" });
    await waitFor("both requests upstream", () => upstream.held.length === 2);
    const list = await procs(api);
    expect(list.map((p) => p.name)).to.deep.equal(["bystander"]);
    expect(list[0]).to.not.have.property("waits");
    upstream.releaseAll();
    await Promise.all([outside, plain]);
    release();
    await running;
    expect(pm.stats.snapshot().find((s) => s.name === "bystander")).to.not.have.property("waits");
  });

  it("never gives concurrent tasks each other's waits, over shared keep-alive connections", async () => {
    const n = 12;
    const runs: Promise<string>[] = [];
    for (let i = 0; i < n; i++) {
      runs.push(
        pm.run(
          () =>
            i % 2 === 0
              ? fetch(`http://127.0.0.1:${upstream.port}/t/${i}`).then((r) => r.text())
              : httpGet(`http://127.0.0.1:${upstream.port}/t/${i}`),
          { id: `t${i}`, name: "fan-out" },
        ),
      );
    }
    await waitFor("every request upstream", () => upstream.held.length === n);
    for (const proc of await procs(api)) {
      const i = Number(proc.id.slice(1));
      expect(proc.waits, proc.id).to.have.length(1);
      expect(proc.waits![0].target).to.equal(`GET 127.0.0.1:${upstream.port}/t/${i}`);
      expect(proc.waits![0].kind).to.equal(i % 2 === 0 ? "fetch" : "http");
    }
    upstream.releaseAll();
    expect(await Promise.all(runs)).to.deep.equal(Array.from({ length: n }, (_, i) => `/t/${i}`));
    // A second round on the same (now kept-alive) connections, each task's wait still its own.
    const again = Array.from({ length: n }, (_, i) =>
      pm.run(() => fetch(`http://127.0.0.1:${upstream.port}/u/${i}`).then((r) => r.text()), { id: `u${i}`, name: "fan-out" }),
    );
    await waitFor("every request upstream", () => upstream.held.length === n);
    for (const proc of await procs(api))
      expect(proc.waits!.map((w) => w.target)).to.deep.equal([`GET 127.0.0.1:${upstream.port}/u/${proc.id.slice(1)}`]);
    upstream.releaseAll();
    await Promise.all(again);
  });

  it("never shows a request queued behind its dispatcher's connection limit on the task whose response freed the connection (fetch, and undici's request API, which gets its own wait)", async () => {
    // Node's own undici Agent, the class of fetch's global dispatcher (set once fetch has run).
    await (await fetch("data:,warm")).text();
    // Node 26 keeps it under a second key, the first one holding a wrapper for older dispatchers.
    const dispatchers = globalThis as unknown as Record<symbol, object | undefined>;
    const global = (dispatchers[Symbol.for("undici.globalDispatcher.2")] ?? dispatchers[Symbol.for("undici.globalDispatcher.1")])!;
    const Agent = global.constructor as new (options: object) => BundledAgent;
    // Two connections: a third request waits in the pool's queue until one is free.
    const agent = new Agent({ connections: 2 });
    const origin = `http://127.0.0.1:${upstream.port}`;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const held = (path: string) => waitFor(`${path} upstream`, () => upstream.held.some((h) => h.req.url === path));
    const release = (path: string) => {
      const at = upstream.held.findIndex((h) => h.req.url === path);
      upstream.held.splice(at, 1)[0]!.res.end(path);
    };
    const targets = (id: string) => waitsOf(pm.get(id) as Task).map((w) => w.target);
    // a and b hold both connections, and go on running once their answer is read.
    const a = pm.run(async () => (await (await fetch(`${origin}/a`, { dispatcher: agent } as RequestInit)).text(), await gate), {
      id: "a",
    });
    await held("/a");
    const b = pm.run(async () => (await (await fetch(`${origin}/b`, { dispatcher: agent } as RequestInit)).text(), await gate), {
      id: "b",
    });
    await held("/b");
    const c = pm.run(async () => (await fetch(`${origin}/c`, { dispatcher: agent } as RequestInit)).text(), { id: "c" });
    const d = pm.run(async () => (await agent.request({ origin, path: "/d", method: "GET" })).body.text(), { id: "d" });
    release("/a");
    await held("/c");
    expect(targets("a"), "a's connection took c's request, which is not a's").to.deep.equal([]);
    release("/b");
    await held("/d");
    expect(targets("b"), "b's connection took d's request, which is not b's").to.deep.equal([]);
    expect(targets("d")).to.deep.equal([`GET 127.0.0.1:${upstream.port}/d`]);
    upstream.releaseAll();
    open();
    await Promise.all([a, b, c, d]);
    await agent.close();
  });

  it("shows every pending operation of one task, oldest first", async () => {
    const both = pm.run(
      () =>
        Promise.all([
          fetch(`http://127.0.0.1:${upstream.port}/first`).then((r) => r.text()),
          httpGet(`http://127.0.0.1:${upstream.port}/second`),
        ]),
      { name: "two" },
    );
    await waitFor("both requests upstream", () => upstream.held.length === 2);
    const [proc] = await procs(api);
    expect(proc.waits!.map((w) => w.target).sort()).to.deep.equal([
      `GET 127.0.0.1:${upstream.port}/first`,
      `GET 127.0.0.1:${upstream.port}/second`,
    ]);
    expect(Date.parse(proc.waits![0].since)).to.be.at.most(Date.parse(proc.waits![1].since));
    upstream.releaseAll();
    await both;
  });

  it("records nothing with the manager option waits: false", async () => {
    pm.setOptions({ waits: false });
    const done = pm.run(() => fetch(`http://127.0.0.1:${upstream.port}/off`).then((r) => r.text()), { name: "off" });
    await waitFor("the request upstream", () => upstream.held.length === 1);
    expect((await procs(api))[0]).to.not.have.property("waits");
    upstream.releaseAll();
    await done;
  });

  it("lets the core abort a task's pending fetch and http request (the operation fails with the reason), and says what it could not abort", async () => {
    let task!: Task;
    const reason = new Error("forced by the operator");
    const fetched = pm.run((t) => ((task = t as Task), fetch(`http://127.0.0.1:${upstream.port}/slow`).then((r) => r.text())), {
      name: "forced",
    });
    const requested = pm.run(() => httpGet(`http://127.0.0.1:${upstream.port}/slower`), { name: "forced" });
    const marked = pm.run(() => waitOn("pg", "SELECT orders", new Promise(() => undefined)), { name: "forced" });
    marked.catch(() => undefined);
    await waitFor("both requests on their connections", () => upstream.held.length === 2);
    const tasks = pm.taskArray();
    // The fetch's request object gets its abort once it is on a connection, which the upstream seeing it proves.
    expect(abortWaits(task, reason)).to.deep.equal({ aborted: 1, unabortable: 0 });
    const fetchError = (await rejectionOf(fetched)) as Error & { cause?: unknown };
    expect(fetchError.cause).to.equal(reason);
    expect(abortWaits(tasks[1], reason)).to.deep.equal({ aborted: 1, unabortable: 0 });
    expect(await rejectionOf(requested)).to.equal(reason);
    expect(abortWaits(tasks[2], reason)).to.deep.equal({ aborted: 0, unabortable: 1 });
    pm.kill(tasks[2].id);
  });

  it("aborts a pending http request whose code listens for no error without ending the process, and the wait ends aborted", async () => {
    pm.setOptions({ waitHistoryMs: 0 });
    let closed!: () => void;
    const done = pm.run(
      () =>
        new Promise<void>((resolve) => {
          closed = resolve;
          request(`http://127.0.0.1:${upstream.port}/no-listener`)
            .on("close", () => closed())
            .end();
        }),
      { id: "careless", name: "careless" },
    );
    await waitFor("the request upstream", () => upstream.held.length === 1);
    expect(abortWaits(pm.get("careless")!, new Error("forced"))).to.deep.equal({ aborted: 1, unabortable: 0 });
    await done;
    expect((await call(api, "GET", "/procs/careless/history")).json.waits.map((w: { outcome: string }) => w.outcome)).to.deep.equal([
      "aborted",
    ]);
  });

  describe("selecting, sorting and remembering waits", () => {
    /** Three tasks: one waiting on a fetch, one on a waitOn("pg") started later, one on nothing. */
    async function threeTasks(): Promise<{ settle: () => Promise<void> }> {
      let releasePg!: () => void;
      let releaseIdle!: () => void;
      const fetching = pm.run(() => fetch(`http://127.0.0.1:${upstream.port}/charge?card=1`).then((r) => r.text()), {
        id: "fetching",
        name: "checkout",
      });
      await waitFor("the fetch upstream", () => upstream.held.length === 1);
      const querying = pm.run(() => waitOn("pg", "SELECT orders", new Promise<void>((resolve) => (releasePg = resolve))), {
        id: "querying",
        name: "report",
      });
      const idle = pm.run(() => new Promise<void>((resolve) => (releaseIdle = resolve)), { id: "idle", name: "idle" });
      return {
        settle: async () => {
          upstream.releaseAll();
          releasePg();
          releaseIdle();
          await Promise.all([fetching, querying, idle]);
        },
      };
    }

    it("GET /procs/?waiting=<kind> lists only the tasks waiting on that kind now (* for any), and sort=waiting puts the oldest wait first", async () => {
      const { settle } = await threeTasks();
      const ids = async (query: string) => ((await call(api, "GET", `/procs/${query}`)).json.procs as { id: string }[]).map((p) => p.id);
      expect(await ids("?waiting=fetch")).to.deep.equal(["fetching"]);
      expect(await ids("?waiting=pg")).to.deep.equal(["querying"]);
      expect((await ids("?waiting=fetch&waiting=pg")).sort()).to.deep.equal(["fetching", "querying"]);
      expect((await ids("?waiting=*")).sort()).to.deep.equal(["fetching", "querying"]);
      expect(await ids("?waiting=redis")).to.deep.equal([]);
      expect(await ids("?sort=waiting")).to.deep.equal(["fetching", "querying", "idle"]);
      expect((await call(api, "GET", "/procs/finished?waiting=fetch")).status).to.equal(400);
      await settle();
      expect(await ids("?waiting=*")).to.deep.equal([]);
    });

    it("proclist ls shows what each task waits on, the longest wait first with --waiting", async () => {
      const { settle } = await threeTasks();
      const label = `127.0.0.1:${api.port}`;
      const all = await proclist(["ls", "-e", label]);
      expect(all.code, all.stderr).to.equal(0);
      const [head, ...rows] = all.stdout
        .trimEnd()
        .split("\n")
        .map((line) => line.split(/ {2,}/));
      const column = head.indexOf("WAITING ON");
      expect(column).to.be.above(head.indexOf("IN STATUS"));
      const cells = Object.fromEntries(rows.map((r) => [r[1], r[column] ?? ""]));
      expect(cells.fetching).to.match(new RegExp(`^fetch GET 127\\.0\\.0\\.1:${upstream.port}/charge · \\d`));
      expect(cells.querying).to.match(/^pg SELECT orders · \d/);
      const waiting = await proclist(["ls", "-e", label, "--waiting", "*", "--json"]);
      expect(waiting.code, waiting.stderr).to.equal(0);
      const listed = JSON.parse(waiting.stdout) as { id: string; waits: { kind: string; target: string; since: string }[] }[];
      expect(listed.map((p) => p.id)).to.deep.equal(["fetching", "querying"]);
      expect(listed[0].waits[0]).to.include({ kind: "fetch", target: `GET 127.0.0.1:${upstream.port}/charge` });
      const pg = await proclist(["ls", "-e", label, "--waiting", "pg"]);
      expect(pg.stdout).to.contain("querying").and.not.contain("fetching");
      await settle();
    });

    it("keeps a wait that lasted waitHistoryMs or more in the task's history, with its duration and outcome; shorter ones only in the stats", async () => {
      pm.setOptions({ waitHistoryMs: 50 });
      const slow = pm.run(
        async () => {
          const quick = await waitOn("cache", "GET user:1", Promise.resolve("hit"));
          const answer = await fetch(`http://127.0.0.1:${upstream.port}/slow?sig=abc`).then((r) => r.text());
          await waitOn("pg", "SELECT 1", Promise.reject(new Error("connection reset"))).catch(() => undefined);
          return [quick, answer];
        },
        { id: "slow", name: "slow" },
      );
      await waitFor("the fetch upstream", () => upstream.held.length === 1);
      // Held until the wait is surely past 50 ms: the condition is the clock, not a sleep.
      const since = Date.parse((await procs(api))[0].waits![0].since);
      await waitFor("50 ms of waiting", () => Date.now() - since > 80);
      upstream.releaseAll();
      await slow;
      const history = (await call(api, "GET", "/procs/slow/history")).json;
      expect(history.history.map((h: { status: string }) => h.status)).to.deep.equal(["init", "ended"]);
      expect(history.waits).to.have.length(1);
      expect(history.waits[0]).to.include({ kind: "fetch", target: `GET 127.0.0.1:${upstream.port}/slow`, outcome: "ok" });
      expect(history.waits[0].durationMs).to.be.at.least(50);
      expect(Date.parse(history.waits[0].since)).to.be.closeTo(since, 1);
      const stats = pm.stats.snapshot().find((s) => s.name === "slow")!;
      expect(Object.keys(stats.waits!).sort()).to.deep.equal(["cache", "fetch", "pg"]);
      expect(stats.waits!.fetch).to.include({ count: 1 });
      expect(stats.waits!.fetch.totalMs).to.be.closeTo(history.waits[0].durationMs, 0.001);
    });

    it("records a failed wait's outcome as error and an aborted one as aborted", async () => {
      pm.setOptions({ waitHistoryMs: 0 });
      const controller = new AbortController();
      const done = pm.run(
        async () => {
          await waitOn("pg", "SELECT 1", Promise.reject(new Error("connection reset"))).catch(() => undefined);
          await fetch(`http://127.0.0.1:${upstream.port}/gone`, { signal: controller.signal }).catch(() => undefined);
        },
        { id: "failing", name: "failing" },
      );
      await waitFor("the fetch upstream", () => upstream.held.length === 1);
      controller.abort();
      await done;
      const history = (await call(api, "GET", "/procs/failing/history")).json;
      expect(history.waits.map((w: { kind: string; outcome: string }) => [w.kind, w.outcome])).to.deep.equal([
        ["pg", "error"],
        ["fetch", "aborted"],
      ]);
    });
  });

  describe("with the Redis clients that publish their commands (ioredis, node-redis; a real redis-server)", () => {
    let redis: RedisServer;
    before(async () => {
      redis = await RedisServer.start();
    });
    after(() => redis.stop());

    it("shows a pending command as kind redis, `COMMAND host:port`, without its keys, and none after", async () => {
      const client = new Redis(redis.url, { lazyConnect: true });
      const pusher = new Redis(redis.url);
      try {
        await client.connect();
        const popped = pm.run(() => client.blpop("queue:secret-key", 0), { name: "worker" });
        const [proc] = await waitFor("the command's wait", async () => (await procs(api)).filter((p) => p.waits !== undefined));
        const { port } = new URL(redis.url);
        expect(proc.waits).to.deep.equal([{ kind: "redis", target: `BLPOP 127.0.0.1:${port}`, since: proc.waits![0].since }]);
        expect(JSON.stringify(proc)).to.not.include("secret-key");
        await pusher.rpush("queue:secret-key", "job");
        expect(await popped).to.deep.equal(["queue:secret-key", "job"]);
        expect((await procs(api)).filter((p) => p.waits !== undefined)).to.deep.equal([]);
        expect(pm.stats.snapshot().find((s) => s.name === "worker")!.waits!.redis.count).to.equal(1);
      } finally {
        client.disconnect();
        pusher.disconnect();
      }
    });

    it("shows node-redis's pending command the same way, and its MULTI as one wait", async () => {
      const client = createClient({ url: redis.url });
      const pusher = createClient({ url: redis.url });
      try {
        await Promise.all([client.connect(), pusher.connect()]);
        const popped = pm.run(() => client.blPop("jobs:token-123", 0), { name: "node-redis worker" });
        const [proc] = await waitFor("the command's wait", async () => (await procs(api)).filter((p) => p.waits !== undefined));
        const { port } = new URL(redis.url);
        expect(proc.waits!.map((w) => [w.kind, w.target])).to.deep.equal([["redis", `BLPOP 127.0.0.1:${port}`]]);
        expect(JSON.stringify(proc)).to.not.include("token-123");
        await pusher.rPush("jobs:token-123", "job");
        expect(await popped).to.deep.equal({ key: "jobs:token-123", element: "job" });
        pm.setOptions({ waitHistoryMs: 0 });
        await pm.run(() => client.multi().set("a", "1").get("a").exec(), { id: "multi", name: "node-redis multi" });
        const history = (await call(api, "GET", "/procs/multi/history")).json;
        expect(history.waits.map((w: { target: string }) => w.target)).to.include(`MULTI (2) 127.0.0.1:${port}`);
        expect(history.waits.every((w: { outcome: string }) => w.outcome === "ok")).to.equal(true);
        expect((await procs(api)).filter((p) => p.waits !== undefined)).to.deep.equal([]);
      } finally {
        await Promise.all([client.close(), pusher.close()]);
      }
    });
  });
});
