import { expect } from "chai";
import { ProcessManager, type ServedApi } from "../../lib";
import { blocked, tick } from "../helpers";
import { apiPerSpec, call, startApi } from "./http-helpers";

describe("HTTP API routes", () => {
  let api: ServedApi & { manager: ProcessManager };
  let pm: ProcessManager;
  apiPerSpec((served) => {
    api = served;
    pm = served.manager;
  });

  describe("GET /procs/", () => {
    it("lists live tasks oldest first with the original's fields, and serverTime", async () => {
      blocked(pm, "a", { name: "job", attrs: { user: "ann" } });
      blocked(pm, "b");
      const answer = await call(api, "GET", "/procs/");
      expect(answer.status).to.equal(200);
      expect(answer.headers["content-type"]).to.equal("application/json");
      expect(answer.json.procs.map((p: { id: string }) => p.id)).to.deep.equal(["a", "b"]);
      expect(answer.json.procs[0]).to.include({ id: "a", status: "init", cancelling: false, name: "job" });
      expect(answer.json.procs[0].attrs).to.deep.equal({ user: "ann" });
      expect(answer.json.serverTime).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    });

    it("answers the same list on /procs without the slash", async () => {
      blocked(pm, "a");
      const answer = await call(api, "GET", "/procs");
      expect(answer.json.procs.map((p: { id: string }) => p.id)).to.deep.equal(["a"]);
    });

    it("reflects changes made since the previous answer (status, attributes, ends)", async () => {
      const handle = pm.start("t");
      expect((await call(api, "GET", "/procs/")).json.procs[0].status).to.equal("init");
      handle.status("reading");
      handle.setAttribute("rows", 3);
      const changed = (await call(api, "GET", "/procs/")).json.procs[0];
      expect(changed.status).to.equal("reading");
      expect(changed.attrs).to.deep.equal({ rows: 3 });
      pm.done("t");
      expect((await call(api, "GET", "/procs/")).json.procs).to.deep.equal([]);
    });

    it("gives a fresh serverTime on every answer, even when the list is unchanged", async () => {
      const first = (await call(api, "GET", "/procs/")).json.serverTime;
      await tick(2);
      const second = (await call(api, "GET", "/procs/")).json.serverTime;
      expect(second > first).to.equal(true);
    });

    it("shows parent, forbidCancel and cancelling", async () => {
      pm.start("outer");
      let parentId = "";
      pm.run((task) => {
        parentId = task.id;
        pm.start("inner", { forbidCancel: true });
      });
      pm.kill("outer", "stop");
      const procs = (await call(api, "GET", "/procs/")).json.procs;
      expect(procs.find((p: { id: string }) => p.id === "outer").cancelling).to.equal(true);
      const inner = procs.find((p: { id: string }) => p.id === "inner");
      expect(inner.forbidCancel).to.equal(true);
      expect(inner.parent).to.equal(parentId);
      expect(procs.find((p: { id: string }) => p.id === "outer")).to.not.have.property("parent");
    });

    it("answers HEAD with the headers and no body", async () => {
      const answer = await call(api, "HEAD", "/procs/");
      expect(answer.status).to.equal(200);
      expect(answer.text).to.equal("");
      expect(Number(answer.headers["content-length"])).to.be.greaterThan(0);
    });
  });

  describe("filters on GET /procs/", () => {
    beforeEach(() => {
      pm.start("1", { name: "GET /users", attrs: { method: "GET", user: "ann" } });
      pm.start("2", { name: "POST /orders", attrs: { method: "POST", user: "bob" } }).status("writing");
      pm.start("3", { name: "GET /users", attrs: { method: "GET", user: "bob" } }).status("reading");
    });
    const ids = async (query: string) => (await call(api, "GET", "/procs/" + query)).json.procs.map((p: { id: string }) => p.id);

    it("narrows by name, status and attributes, repeated values meaning any of them", async () => {
      expect(await ids("?name=GET%20%2Fusers")).to.deep.equal(["1", "3"]);
      expect(await ids("?status=writing&status=reading")).to.deep.equal(["2", "3"]);
      expect(await ids("?attr.user=bob")).to.deep.equal(["2", "3"]);
      expect(await ids("?attr.user=bob&attr.method=GET")).to.deep.equal(["3"]);
      expect(await ids("?attr.nothing=x")).to.deep.equal([]);
    });

    it("sorts by a field, '-' for descending, and limits", async () => {
      expect(await ids("?sort=-procTime")).to.deep.equal(["3", "2", "1"]);
      expect(await ids("?sort=status")).to.deep.equal(["1", "3", "2"]);
      expect(await ids("?sort=-id&limit=2")).to.deep.equal(["3", "2"]);
      expect(await ids("?limit=0")).to.deep.equal([]);
    });

    it("refuses unknown parameters and bad values with 400 and a JSON error naming them", async () => {
      const unknown = await call(api, "GET", "/procs/?nme=x");
      expect(unknown.status).to.equal(400);
      expect(unknown.json.error).to.equal('unknown query parameter "nme"');
      const sort = await call(api, "GET", "/procs/?sort=age");
      expect(sort.status).to.equal(400);
      expect(sort.json.error).to.contain("sort").and.contain("procTime");
      const negative = await call(api, "GET", "/procs/?limit=-1");
      expect(negative.status).to.equal(400);
      expect(negative.json.error).to.equal('invalid query parameter "limit" "-1": must be a whole number of tasks, such as 100');
      expect((await call(api, "GET", "/procs/?sort=id&sort=name")).status).to.equal(400);
    });
  });

  describe("GET /procs/:id", () => {
    it("answers a live task with running true", async () => {
      pm.start("x y", { attrs: { a: 1 } });
      const answer = await call(api, "GET", "/procs/x%20y");
      expect(answer.status).to.equal(200);
      expect(answer.json.running).to.equal(true);
      expect(answer.json.proc).to.include({ id: "x y", status: "init" });
    });

    it("answers a kept finished task with its outcome, duration and who killed it", async () => {
      pm.start("k");
      pm.kill("k", "enough", "ops@10.0.0.1");
      pm.done("k", new Error("stopped"));
      const answer = await call(api, "GET", "/procs/k");
      expect(answer.json.running).to.equal(false);
      expect(answer.json.proc).to.include({ id: "k", outcome: "aborted", killedBy: "ops@10.0.0.1", error: "stopped" });
      expect(answer.json.proc.durationMs).to.be.a("number");
    });

    it("answers 400 for a query parameter, as it takes none", async () => {
      pm.start("q");
      const answer = await call(api, "GET", "/procs/q?verbose=1");
      expect(answer.status).to.equal(400);
      expect(answer.json.error).to.equal('unknown query parameter "verbose"');
      expect((await call(api, "GET", "/procs/q/history?x")).status).to.equal(400);
    });

    it("answers 404 with a JSON error for an unknown id", async () => {
      const answer = await call(api, "GET", "/procs/nope");
      expect(answer.status).to.equal(404);
      expect(answer.json).to.deep.equal({ error: 'no such task: "nope"' });
    });
  });

  describe("GET /procs/:id/history", () => {
    it("answers the timeline of a live task", async () => {
      const t = pm.start("h");
      t.status("one");
      t.status("two");
      const answer = await call(api, "GET", "/procs/h/history");
      expect(answer.status).to.equal(200);
      expect(answer.json.history.map((e: { status: string }) => e.status)).to.deep.equal(["init", "one", "two"]);
      expect(answer.json.history[0].ts).to.match(/Z$/);
      expect(answer.json).to.not.have.property("dropped");
    });

    it("still answers once the task has ended, ending with its outcome", async () => {
      pm.start("h");
      pm.kill("h", "bye");
      pm.done("h", pm.get("h")!.cancel);
      const answer = await call(api, "GET", "/procs/h/history");
      expect(answer.json.history.map((e: { status: string }) => e.status)).to.deep.equal(["init", "[cancel request: bye]", "killed: bye"]);
    });

    it("reports how many entries the bound dropped", async () => {
      await api.close();
      api = await startApi({ manager: new ProcessManager({ maxHistory: 3 }) });
      const t = api.manager.start("h");
      for (let i = 0; i < 5; i++) t.status(`s${i}`);
      const answer = await call(api, "GET", "/procs/h/history");
      expect(answer.json.history.map((e: { status: string }) => e.status)).to.deep.equal(["init", "s3", "s4"]);
      expect(answer.json.dropped).to.equal(3);
    });

    it("answers 404 with a JSON body (and nothing after it) for an unknown id", async () => {
      const answer = await call(api, "GET", "/procs/nope/history");
      expect(answer.status).to.equal(404);
      expect(answer.text).to.equal('{"error":"no such task: \\"nope\\""}');
    });
  });

  describe("GET /procs/finished", () => {
    it("lists kept finished tasks, oldest first, with outcome and filters", async () => {
      pm.start("a", { name: "n1" });
      pm.done("a");
      pm.start("b", { name: "n2" });
      pm.kill("b");
      pm.done("b", pm.get("b")!.cancel);
      const all = await call(api, "GET", "/procs/finished");
      expect(all.status).to.equal(200);
      expect(all.json.finished.map((p: { id: string; outcome: string }) => [p.id, p.outcome])).to.deep.equal([
        ["a", "ended"],
        ["b", "killed"],
      ]);
      const killed = await call(api, "GET", "/procs/finished?outcome=killed");
      expect(killed.json.finished.map((p: { id: string }) => p.id)).to.deep.equal(["b"]);
      expect((await call(api, "GET", "/procs/finished?name=n1")).json.finished.map((p: { id: string }) => p.id)).to.deep.equal(["a"]);
      expect((await call(api, "GET", "/procs/finished?outcome=lost")).status).to.equal(400);
    });
  });

  describe("GET /stats", () => {
    it("answers per-name counts, latency quantiles and time per status", async () => {
      const t = pm.start("s", { name: "job" });
      t.status("working");
      await tick(5);
      pm.done("s");
      pm.start("r", { name: "job" });
      const answer = await call(api, "GET", "/stats");
      expect(answer.status).to.equal(200);
      const [job] = answer.json.stats;
      expect(job).to.include({ name: "job", running: 1, started: 2, ended: 1, killed: 0, aborted: 0 });
      expect(job.latencyMs.count).to.equal(1);
      expect(job.latencyMs.max).to.be.greaterThan(3);
      expect(job.phases.working.count).to.equal(1);
      expect(job.phases.working.totalMs).to.be.greaterThan(3);
      expect((await call(api, "GET", "/stats?name=other")).json.stats).to.deep.equal([]);
      expect((await call(api, "GET", "/stats?x=1")).status).to.equal(400);
    });
  });

  describe("unknown routes and methods", () => {
    it("answers 404 JSON for an unknown path", async () => {
      const answer = await call(api, "GET", "/nope");
      expect(answer.status).to.equal(404);
      expect(answer.json.error).to.equal("no such route: GET /nope");
    });

    it("answers 405 with Allow for a wrong method on a known route", async () => {
      const list = await call(api, "POST", "/procs/");
      expect(list.status).to.equal(405);
      expect(list.headers.allow).to.equal("GET, HEAD, DELETE, OPTIONS");
      expect(list.json.error).to.contain("POST");
      const task = await call(api, "PUT", "/procs/x");
      expect(task.status).to.equal(405);
      expect(task.headers.allow).to.equal("GET, HEAD, DELETE, OPTIONS");
      const history = await call(api, "DELETE", "/procs/x/history");
      expect(history.status).to.equal(405);
      expect(history.json.error).to.equal("method DELETE not allowed on /procs/x/history; allowed: GET, HEAD, OPTIONS");
    });

    it("answers OPTIONS on a task as the original, with Access-Control-Allow-Methods naming DELETE", async () => {
      const answer = await call(api, "OPTIONS", "/procs/x");
      expect(answer.status).to.equal(204);
      expect(answer.headers["access-control-allow-methods"]).to.contain("DELETE");
      expect(answer.headers).to.not.have.property("access-control-allow-origin");
      expect((await call(api, "OPTIONS", "/nope")).status).to.equal(404);
    });
  });
});
