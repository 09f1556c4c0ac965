import { expect } from "chai";
import { createServer, request, Agent, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import { CancelError, ProcessManager, trackRequests } from "../../lib";
import { freshManager, listenOnLoopback } from "../helpers";
import { closeServer, Orders, until } from "./fixture";

describe("trackRequests() on a node:http server", () => {
  let pm: ProcessManager;
  let orders: Orders;
  let server: Server;
  let url: string;
  /** What the handler's call ended with, per request id. */
  let outcomes: Map<string, unknown>;

  /** GET /orders/<id>?ms=<wait>: loads the order through the tracked method; answers 503 itself when its call is cancelled. */
  function handler(req: IncomingMessage, res: ServerResponse): void {
    const match = /^\/orders\/(\w+)(?:\?ms=(\d+))?$/.exec(req.url ?? "");
    if (match === null) return void res.writeHead(404).end();
    const key = String(req.headers["x-key"] ?? match[1]);
    orders.load(match[1], Number(match[2] ?? 0)).then(
      (body) => {
        outcomes.set(key, "ok");
        res.writeHead(200, { "content-type": "application/json" }).end(body);
      },
      (error: unknown) => {
        outcomes.set(key, error);
        res.writeHead(error instanceof CancelError ? 503 : 500).end(String(error));
      },
    );
  }

  async function start(options: Parameters<typeof trackRequests>[1] = {}): Promise<void> {
    server = createServer(handler);
    trackRequests(server, { manager: pm, ...options });
    url = (await listenOnLoopback(server)).url;
  }

  beforeEach(() => {
    pm = freshManager();
    orders = new Orders(pm);
    outcomes = new Map();
  });
  afterEach(() => closeServer(server));

  it("makes a request a task with method, uri, host and the attrs option, and the @Tracked calls its children", async () => {
    await start({ attrs: (req) => ({ agent: req.headers["user-agent"] }) });
    const answer = await fetch(`${url}/orders/7?ms=1`, { headers: { "user-agent": "spec" } });
    expect(answer.status).to.equal(200);
    expect(await answer.json()).to.deep.equal({ id: "7" });
    await until(() => pm.finished().length === 2);
    const [child, parent] = pm.finished();
    // A bare node:http server knows no route: the name is the method alone, the path in the uri attribute.
    expect(parent).to.deep.include({ name: "GET", outcome: "ended" });
    expect(parent.attrs.uri).to.equal("/orders/7?ms=1");
    expect(parent.attrs).to.deep.include({ method: "GET", uri: "/orders/7?ms=1", agent: "spec" });
    expect(parent.attrs.host).to.match(/^127\.0\.0\.1:\d+$/);
    expect(child).to.deep.include({ name: "Orders.load", parent: parent.id, outcome: "ended" });
    expect(pm.history(child.id).map((e) => e.status)).to.deep.equal(["init", "querying", "ended"]);
  });

  it("leaves the requests the skip option names untracked: paths without their query, or a function", async () => {
    await start({ skip: ["/orders/skipped", "/orders/also"] });
    for (const path of ["/orders/skipped", "/orders/skipped?ms=1", "/orders/also", "/orders/kept"])
      expect((await fetch(`${url}${path}`)).status).to.equal(200);
    await until(() => pm.finished().filter((t) => t.name.startsWith("GET")).length === 1);
    expect(
      pm
        .finished()
        .filter((t) => t.name.startsWith("GET"))
        .map((t) => t.name),
    ).to.deep.equal(["GET"]);
    // The skipped requests' own tracked calls still run, as top-level tasks.
    expect(pm.finished().filter((t) => t.name === "Orders.load")).to.have.length(4);
    await closeServer(server);
    pm = freshManager();
    orders = new Orders(pm);
    let calls = 0;
    await start({
      skip: (req) => {
        calls++;
        if (req.headers["x-key"] === "boom") throw new Error("skip broke");
        return req.headers["x-key"] === "health";
      },
    });
    for (const key of ["health", "boom", "real"])
      expect((await fetch(`${url}/orders/1`, { headers: { "x-key": key } })).status).to.equal(200);
    await until(() => pm.finished().filter((t) => t.name.startsWith("GET")).length === 1);
    expect(calls).to.equal(3);
    expect(pm.finished().filter((t) => t.name.startsWith("GET"))).to.have.length(1);
  });

  it("shows the request with its running child in the list while it is handled", async () => {
    await start();
    const pending = fetch(`${url}/orders/9?ms=60000`);
    await until(() => pm.list().some((t) => t.status === "querying"));
    const request = pm.list().find((t) => t.attrs.uri === "/orders/9?ms=60000")!;
    expect(pm.list().find((t) => t.status === "querying")).to.include({ name: "Orders.load", parent: request.id });
    pm.kill(request.id, "enough");
    expect((await pending).status).to.equal(503);
  });

  it("takes the id from the configured header; a duplicate gets a distinct id, an invalid one a generated id, and each is served", async () => {
    await start({ idHeader: "X-Request-Id" });
    const slow = fetch(`${url}/orders/1?ms=60000`, { headers: { "x-request-id": "req-1", "x-key": "a" } });
    await until(() => pm.get("req-1")?.running === true);
    const again = fetch(`${url}/orders/1?ms=1`, { headers: { "x-request-id": "req-1", "x-key": "b" } });
    const bad = fetch(`${url}/orders/1?ms=1`, { headers: { "x-request-id": "x".repeat(300), "x-key": "c" } });
    expect((await again).status).to.equal(200);
    expect((await bad).status).to.equal(200);
    const names = pm
      .finished()
      .filter((t) => t.name === "GET" && String(t.attrs.uri).startsWith("/orders/1?"))
      .map((t) => t.id);
    expect(names).to.include("req-1~2");
    expect(names.some((id) => id !== "req-1~2" && id.length < 20)).to.equal(true);
    pm.kill("req-1");
    expect((await slow).status).to.equal(503);
  });

  it("answers a killed request 503 with the kill message, mutes the handler's own late answer, and records the kill", async () => {
    await start({ idHeader: "x-request-id" });
    const pending = fetch(`${url}/orders/2?ms=60000`, { headers: { "x-request-id": "k" } });
    await until(() => pm.list().some((t) => t.status === "querying" && t.parent === "k"));
    pm.kill("k", "too slow", "ops");
    const answer = await pending;
    expect(answer.status).to.equal(503);
    expect(await answer.json()).to.deep.equal({ error: 'task "k" was cancelled: too slow' });
    await until(() => outcomes.has("2"));
    expect(outcomes.get("2")).to.be.instanceOf(CancelError);
    await until(() => pm.get("k")?.running === false);
    expect(pm.finished().find((t) => t.id === "k")).to.include({ outcome: "killed", killedBy: "ops", status: "killed: too slow" });
  });

  it("answers with the configured status", async () => {
    await start({ idHeader: "x-request-id", killStatus: 499 });
    const pending = fetch(`${url}/orders/3?ms=60000`, { headers: { "x-request-id": "k" } });
    await until(() => pm.get("k") !== undefined);
    pm.kill("k");
    expect((await pending).status).to.equal(499);
  });

  it("ends a request past its timeoutMs with the deadline message, its children too, well before their 10 s wait", async () => {
    await start({ timeoutMs: 200 });
    const started = performance.now();
    const answer = await fetch(`${url}/orders/4?ms=10000`);
    const elapsed = performance.now() - started;
    expect(answer.status).to.equal(503);
    expect((await answer.json()).error).to.match(/was cancelled: deadline exceeded after 200 ms$/);
    await until(() => pm.size === 0);
    for (const task of pm.finished())
      expect(task).to.include({ outcome: "killed", killedBy: "deadline", status: "killed: deadline exceeded after 200 ms" });
    expect(elapsed).to.be.below(5_000);
  });

  describe("when the client goes away", () => {
    /** The server's side of each connection: when it closed, and what was written to it after. */
    interface Conn {
      closedAt: number;
      writesAfterClose: number;
      bytesAtClose: number;
      socket: Socket;
    }
    let conns: Conn[];
    let doneAt: Map<string, number>;

    beforeEach(() => {
      conns = [];
      doneAt = new Map();
      pm.subscribe((event) => {
        if (event.type === "done") doneAt.set(event.task.id, performance.now());
      });
    });

    async function startWatched(options: Parameters<typeof trackRequests>[1] = {}): Promise<void> {
      await start(options);
      server.on("connection", (socket: Socket) => {
        const conn: Conn = { closedAt: NaN, writesAfterClose: 0, bytesAtClose: NaN, socket };
        conns.push(conn);
        const write = socket.write;
        socket.write = function (this: Socket, ...args: unknown[]) {
          if (!Number.isNaN(conn.closedAt)) conn.writesAfterClose++;
          return Reflect.apply(write, this, args) as boolean;
        } as Socket["write"];
        socket.on("close", () => {
          conn.closedAt = performance.now();
          conn.bytesAtClose = socket.bytesWritten;
        });
      });
    }

    /** Sends a request on a raw socket, so the spec can destroy the connection mid-request. */
    async function rawRequest(path: string): Promise<Socket> {
      const port = (server.address() as { port: number }).port;
      const socket = connect(port, "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: gone\r\n\r\n`);
      return socket;
    }

    it("kills the task with 'client disconnected' (killedBy client) within ms of the socket closing, aborts its pending timer, writes nothing to the closed socket", async () => {
      await startWatched({ idHeader: "x-request-id" });
      const client = await rawRequest("/orders/5?ms=60000");
      await until(() => pm.list().some((t) => t.status === "querying"));
      client.destroy();
      await until(() => doneAt.has("gone") && outcomes.has("5"));
      const elapsed = doneAt.get("gone")! - conns[0].closedAt;
      const request = pm.finished().find((t) => t.id === "gone")!;
      expect(request).to.include({ outcome: "killed", killedBy: "client", status: "killed: client disconnected" });
      // The pending 60 s timer was aborted by the signal: the handler's call failed with the kill.
      expect(outcomes.get("5")).to.be.instanceOf(CancelError).and.have.property("reason", "client disconnected");
      expect(pm.finished().find((t) => t.name === "Orders.load")).to.include({ outcome: "killed", killedBy: "client" });
      // The handler answered 503 after the close: none of it reached the socket.
      expect(conns[0].writesAfterClose).to.equal(0);
      expect(conns[0].socket.bytesWritten).to.equal(conns[0].bytesAtClose);
      // In-process timestamps from the server's close event to the task's end: ms, not the 60 s wait.
      expect(elapsed, `closed → killed took ${elapsed.toFixed(1)} ms`).to.be.below(1_000);
    });

    it("with cancelOnDisconnect: false, leaves the work running and ends the request's task aborted", async () => {
      await startWatched({ idHeader: "x-request-id", cancelOnDisconnect: false });
      const client = await rawRequest("/orders/6?ms=60000");
      await until(() => pm.list().some((t) => t.status === "querying"));
      client.destroy();
      await until(() => doneAt.has("gone"));
      expect(pm.finished().find((t) => t.id === "gone")).to.include({
        outcome: "aborted",
        error: "client disconnected",
        killedBy: undefined,
      });
      const child = pm.list().find((t) => t.name === "Orders.load")!;
      expect(child.cancelling).to.equal(false);
      pm.kill(child.id);
      await until(() => outcomes.has("6"));
      expect(conns[0].writesAfterClose).to.equal(0);
    });

    it("does not kill a finished keep-alive request when its connection closes later", async () => {
      await startWatched({ idHeader: "x-request-id" });
      const agent = new Agent({ keepAlive: true });
      const status = await new Promise<number>((resolve, reject) => {
        request(`${url}/orders/8?ms=1`, { agent, headers: { "x-request-id": "kept" } }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode!));
        })
          .on("error", reject)
          .end();
      });
      expect(status).to.equal(200);
      await until(() => doneAt.has("kept"));
      expect(conns[0].socket.destroyed).to.equal(false);
      agent.destroy();
      await until(() => !Number.isNaN(conns[0].closedAt));
      expect(pm.finished().map((t) => [t.id === "kept" ? "request" : t.name, t.outcome, t.killedBy])).to.deep.equal([
        ["Orders.load", "ended", undefined],
        ["request", "ended", undefined],
      ]);
    });
  });

  it("serves the request untracked when tracking fails, and reports the first failure once", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      await start({
        attrs: () => {
          throw new Error("attrs exploded");
        },
      });
      for (let i = 0; i < 3; i++) expect((await fetch(`${url}/orders/${i}?ms=1`)).status).to.equal(200);
      await until(() => warnings.length > 0);
      expect(pm.finished().filter((t) => t.name.startsWith("GET"))).to.deep.equal([]);
      // The tracked method still runs, as a task of its own.
      expect(pm.finished().filter((t) => t.name === "Orders.load")).to.have.length(3);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.message)).to.deep.equal([
        "request tracking failed, so the request was served untracked (later failures are counted, not reported): attrs exploded",
      ]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("ends a request whose route cannot be read (a property that throws) under the name it had, without an error escaping", async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.prependListener("uncaughtException", onUncaught);
    try {
      server = createServer((req, res) => {
        // What a framework could leave on the request: params, and a path that throws when read.
        Object.assign(req, { params: { id: "7" } });
        Object.defineProperty(req, "path", {
          get() {
            throw new Error("path exploded");
          },
        });
        res.end("ok");
      });
      trackRequests(server, { manager: pm });
      url = (await listenOnLoopback(server)).url;
      expect((await fetch(`${url}/orders/7`)).status).to.equal(200);
      await until(() => pm.finished().length === 1);
      expect(pm.finished()[0]).to.include({ name: "GET", outcome: "ended" });
      expect(uncaught).to.deep.equal([]);
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });

  it("stops tracking when the returned function is called, and refuses what is not a server or a bad option", async () => {
    server = createServer(handler);
    const stop = trackRequests(server, { manager: pm });
    stop();
    url = (await listenOnLoopback(server)).url;
    expect((await fetch(`${url}/orders/1?ms=1`)).status).to.equal(200);
    expect(pm.finished().map((t) => t.name)).to.deep.equal(["Orders.load"]);
    expect(() => trackRequests({} as Server)).to.throw(TypeError, /node:http or node:https server/);
    expect(() => trackRequests(server, { timeoutMs: -1 })).to.throw(TypeError, /"timeoutMs"/);
    expect(() => trackRequests(server, { cancelOnDisconect: false } as never)).to.throw(TypeError, /"cancelOnDisconect"/);
  });
});
