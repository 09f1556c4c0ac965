import { expect } from "chai";
import type { Server } from "node:http";
import express from "express";
import polka from "polka";
import { CancelError, ProcessManager, requestTracker, trackRequests } from "../../lib";
import { freshManager } from "../helpers";
import { EventStream } from "../http/event-stream";
import { startApi } from "../http/http-helpers";
import { closeServer, Orders, until } from "./fixture";

describe("request tracking with frameworks", () => {
  let pm: ProcessManager;
  let orders: Orders;
  let server: Server;
  beforeEach(() => {
    pm = freshManager();
    orders = new Orders(pm);
  });
  afterEach(() => closeServer(server));

  /** The request task and its child, once both ended. */
  async function requestAndChild(): Promise<
    [ReturnType<ProcessManager["finished"]>[number], ReturnType<ProcessManager["finished"]>[number]]
  > {
    await until(() => pm.finished().length === 2);
    const child = pm.finished().find((t) => t.name === "Orders.load")!;
    const request = pm.finished().find((t) => t.name !== "Orders.load")!;
    return [request, child];
  }

  it("express: requestTracker() as the first middleware makes each request a task, its @Tracked calls children", async () => {
    const app = express();
    app.use(requestTracker({ manager: pm, idHeader: "x-request-id" }));
    app.get("/orders/:id", async (req, res) => {
      res.type("json").send(await orders.load(req.params.id, Number(req.query.ms ?? 0)));
    });
    server = app.listen(0, "127.0.0.1");
    const { url } = await listening(server);
    const answer = await fetch(`${url}/orders/11?ms=1`, { headers: { "x-request-id": "ex-1" } });
    expect(answer.status).to.equal(200);
    expect(await answer.json()).to.deep.equal({ id: "11" });
    const [request, child] = await requestAndChild();
    expect(request).to.deep.include({ id: "ex-1", name: "GET /orders/:id", outcome: "ended" });
    // It started as GET and was renamed when express routed it: GET counts nothing, and is not shown.
    expect(pm.stats.snapshot().map((n) => n.name)).to.deep.equal(["GET /orders/:id", "Orders.load"]);
    expect(request.attrs).to.deep.include({ method: "GET", uri: "/orders/11?ms=1" });
    expect(child).to.include({ parent: "ex-1", outcome: "ended" });
  });

  for (const framework of ["express", "polka", "polka behind trackRequests"] as const) {
    it(`${framework}: a request is named after its route while it runs (many ids, one name), one no route took by its method alone`, async () => {
      const handler = (id: string, res: { end(body: string): void }) =>
        orders.load(id, id === "slow" ? 60_000 : 1).then(
          (body) => res.end(body),
          () => res.end("cancelled"),
        );
      if (framework === "express") {
        const app = express();
        app.use(requestTracker({ manager: pm }));
        app.get("/orders/:id", (req, res) => void handler(req.params.id, res));
        server = app.listen(0, "127.0.0.1");
      } else {
        const app = polka();
        if (framework === "polka") app.use(requestTracker({ manager: pm }));
        app.get("/orders/:id", (req, res) => void handler(String(req.params.id), res));
        server = app.listen(0, "127.0.0.1").server!;
        if (framework !== "polka") trackRequests(server, { manager: pm });
      }
      const { url } = await listening(server);
      for (const id of ["1", "2", "3"]) expect((await fetch(`${url}/orders/${id}`)).status).to.equal(200);
      expect((await fetch(`${url}/nowhere/42`)).status).to.equal(404);
      const slow = fetch(`${url}/orders/slow`);
      await until(() => pm.list().some((t) => t.name === "Orders.load" && t.status === "querying"));
      const running = pm.list().find((t) => t.name !== "Orders.load")!;
      // The server hook starts the task before polka routes: it is renamed when the request ends.
      if (framework !== "polka behind trackRequests") expect(running.name).to.equal("GET /orders/:id");
      pm.kill(running.id, "enough");
      await slow;
      await until(() => pm.size === 0);
      const names = pm.stats.snapshot().map((n) => n.name);
      expect(names.filter((n) => n.startsWith("GET")).sort()).to.deep.equal(["GET", "GET /orders/:id"]);
      const byRoute = pm.stats.snapshot().find((n) => n.name === "GET /orders/:id")!;
      expect(byRoute).to.deep.include({ started: 4, running: 0, ended: 3, killed: 1 });
      expect(pm.stats.snapshot().find((n) => n.name === "GET")).to.deep.include({ started: 1, running: 0, ended: 1 });
    });
  }

  it("express: a router mounted under a path with parameters is named by the mount's pattern, not the values it matched", async () => {
    const app = express();
    app.use(requestTracker({ manager: pm }));
    const things = express.Router({ mergeParams: true }).get("/things/:id", (_req, res) => void res.send("ok"));
    const orders = express.Router().get("/orders/:id", (_req, res) => void res.send("ok"));
    orders.use("/v2/:region", things);
    app.use("/t/:tenant", orders);
    app.use(
      ["/a/:x", "/b"],
      express.Router().get("/c/:id", (_req, res) => void res.send("ok")),
    );
    app.use(
      "/plain",
      express.Router().get("/p/:id", (_req, res) => void res.send("ok")),
    );
    server = app.listen(0, "127.0.0.1");
    const { url } = await listening(server);
    for (const path of [
      "/t/acme/orders/1",
      "/t/zen/orders/2",
      "/t/acme/v2/eu/things/3",
      "/t/zen/v2/us/things/4",
      "/a/1/c/5",
      "/a/2/c/6",
      "/b/c/7",
      "/plain/p/8",
    ])
      expect((await fetch(url + path)).status, path).to.equal(200);
    await until(() => pm.finished().length === 8);
    expect([...new Set(pm.finished().map((t) => t.name))].sort()).to.deep.equal([
      "GET /a/:x/c/:id",
      "GET /b/c/:id",
      "GET /plain/p/:id",
      "GET /t/:tenant/orders/:id",
      "GET /t/:tenant/v2/:region/things/:id",
    ]);
  });

  it("polka: a sub-app keeps the path it is mounted under, and a wildcard route is one name at any depth", async () => {
    const app = polka()
      .use(requestTracker({ manager: pm }))
      .use(
        "/api",
        polka().get("/orders/:id", (_req, res) => res.end("ok")),
      )
      .use(
        "/v1",
        polka().get("/orders/:id", (_req, res) => res.end("ok")),
      )
      .get("/static/*", (_req, res) => res.end("ok"))
      .get("/files/:kind/*", (_req, res) => res.end("ok"));
    server = app.listen(0, "127.0.0.1").server!;
    const { url } = await listening(server);
    for (const path of ["/api/orders/1", "/v1/orders/2", "/static/a.css", "/static/x/y/z.js", "/files/img/a/b.png", "/files/doc/c"])
      expect((await fetch(url + path)).status, path).to.equal(200);
    await until(() => pm.finished().length === 6);
    expect([...new Set(pm.finished().map((t) => t.name))].sort()).to.deep.equal([
      "GET /api/orders/:id",
      "GET /files/:kind/*",
      "GET /static/*",
      "GET /v1/orders/:id",
    ]);
  });

  it("express: the event stream carries the route's name, in a second start of the task once express routed it", async () => {
    const api = await startApi({ manager: pm });
    const stream = await EventStream.open(api);
    try {
      const app = express();
      app.use(requestTracker({ manager: pm, idHeader: "x-request-id" }));
      app.get("/orders/:id", (_req, res) => void res.send("ok"));
      server = app.listen(0, "127.0.0.1");
      const { url } = await listening(server);
      expect((await fetch(`${url}/orders/5`, { headers: { "x-request-id": "ex-5" } })).status).to.equal(200);
      await stream.waitFor((s) => s.messages.some((m) => m.event === "done" && m.data.id === "ex-5"));
      const starts = stream.messages.filter((m) => m.event === "start" && m.data.proc.id === "ex-5").map((m) => m.data.proc.name);
      expect(starts).to.deep.equal(["GET", "GET /orders/:id"]);
    } finally {
      stream.close();
      await api.close();
    }
  });

  it("express: a kill answers 503 even though express 5 would answer the handler's rejection itself", async () => {
    const app = express();
    app.set("env", "test"); // express logs a handler's rejection (here the kill) unless testing
    app.use(requestTracker({ manager: pm, idHeader: "x-request-id" }));
    app.get("/orders/:id", async (req, res) => {
      res.send(await orders.load(req.params.id, 60_000));
    });
    server = app.listen(0, "127.0.0.1");
    const { url } = await listening(server);
    const pending = fetch(`${url}/orders/12`, { headers: { "x-request-id": "ex-2" } });
    await until(() => pm.list().some((t) => t.parent === "ex-2" && t.status === "querying"));
    pm.kill("ex-2", "stop");
    const answer = await pending;
    expect(answer.status).to.equal(503);
    expect(await answer.json()).to.deep.equal({ error: 'task "ex-2" was cancelled: stop' });
    await until(() => pm.size === 0);
    expect(pm.finished().map((t) => t.outcome)).to.deep.equal(["killed", "killed"]);
  });

  it("polka: requestTracker() in use() makes each request a task, its @Tracked calls children", async () => {
    const app = polka()
      .use(requestTracker({ manager: pm, attrs: () => ({ route: "orders" }) }))
      .get("/orders/:id", (req, res) => {
        orders.load(String(req.params.id), 1).then((body) => res.end(body));
      });
    server = app.listen(0, "127.0.0.1").server!;
    const { url } = await listening(server);
    expect((await fetch(`${url}/orders/13`)).status).to.equal(200);
    const [request, child] = await requestAndChild();
    expect(request).to.deep.include({ name: "GET /orders/:id", outcome: "ended" });
    expect(request.attrs).to.deep.include({ method: "GET", uri: "/orders/13", route: "orders" });
    expect(child).to.include({ parent: request.id, outcome: "ended" });
  });

  it("polka: trackRequests() on its server does the same, and a middleware added too tracks nothing twice", async () => {
    const app = polka()
      .use(requestTracker({ manager: pm }))
      .get("/orders/:id", (req, res) => {
        orders.load(String(req.params.id), 1).then(
          (body) => res.end(body),
          (error: unknown) => res.end(String(error instanceof CancelError)),
        );
      });
    server = app.listen(0, "127.0.0.1").server!;
    trackRequests(server, { manager: pm, name: (req) => `${req.method} /orders/:id` });
    const { url } = await listening(server);
    expect((await fetch(`${url}/orders/14`)).status).to.equal(200);
    const [request, child] = await requestAndChild();
    expect(request).to.deep.include({ name: "GET /orders/:id", outcome: "ended" });
    expect(child.parent).to.equal(request.id);
  });
});

async function listening(server: Server): Promise<{ url: string }> {
  if (!server.listening) await new Promise((resolve) => server.once("listening", resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}
