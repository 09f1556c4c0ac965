import { expect } from "chai";
import { createServer } from "node:http";
import { ProcessManager } from "../../lib";
import { startSample, type Sample } from "../../samples/service";
import { deadPort } from "../client/fake-server";
import { rejectionOf, tick, waitFor } from "../helpers";
import { call } from "../http/http-helpers";

describe("the sample service (npm start)", () => {
  let sample: Sample;
  let pm: ProcessManager;
  beforeEach(async () => {
    pm = new ProcessManager();
    sample = await startSample({ port: 0, apiPort: 0, manager: pm });
  });
  afterEach(() => sample.close());

  async function liveId(name: string): Promise<string> {
    const until = Date.now() + 10_000;
    for (;;) {
      const proc = (await call(sample.api, "GET", "/procs/")).json.procs.find((p: { name: string }) => p.name === name);
      if (proc !== undefined) return proc.id;
      if (Date.now() > until) throw new Error(`no live ${name} task`);
      await tick(5);
    }
  }

  it("tracks GET /work as a task with method, uri and host, one status per step", async () => {
    const answer = await call(sample, "GET", "/work?ms=30&steps=3");
    expect(answer.status).to.equal(200);
    expect(answer.json).to.deep.equal({ steps: 3, ms: 30 });
    const [done] = pm.finished();
    expect(done.name).to.equal("GET /work");
    expect(done.attrs).to.include({ method: "GET", uri: "/work?ms=30&steps=3" });
    expect(done.attrs.host).to.match(/^127\.0\.0\.1:\d+$/);
    expect(pm.history(done.id).map((e) => e.status)).to.deep.equal(["init", "step 1/3", "step 2/3", "step 3/3", "ended"]);
  });

  it("tracks GET /users/:id through its phases, the tracked query as its child", async () => {
    expect((await call(sample, "GET", "/users/42")).json).to.deep.equal({ id: "42", name: "user 42" });
    const [query, request] = pm.finished();
    expect(request).to.include({ name: "GET /users/:id", outcome: "ended" });
    expect(request.attrs).to.include({ method: "GET", uri: "/users/42" });
    expect(pm.history(request.id).map((e) => e.status)).to.deep.equal(["init", "authenticating", "rendering", "ended"]);
    expect(query).to.include({ name: "UserRepository.find", parent: request.id });
    expect(pm.history(query.id).map((e) => e.status)).to.deep.equal(["init", "querying users for 42", "ended"]);
  });

  it("closes its service again when the API cannot listen, leaving no port taken", async () => {
    const port = await deadPort();
    const error = await rejectionOf(startSample({ port, apiPort: sample.api.port, manager: new ProcessManager() }));
    expect((error as Error).message).to.contain(`cannot listen on 127.0.0.1:${sample.api.port}`);
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once("error", reject).listen(port, "127.0.0.1", resolve));
    await new Promise((resolve) => probe.close(resolve));
  });

  it("names a request no route took by its method, never by its path", async () => {
    for (const path of ["/nowhere/1", "/nowhere/2", "/procs/3"]) expect((await call(sample, "DELETE", path)).status).to.equal(404);
    await waitFor("three ended requests", () => pm.finished().length >= 3);
    expect(new Set(pm.finished().map((t) => t.name))).to.deep.equal(new Set(["DELETE"]));
  });

  it("answers 400 for bad parameters", async () => {
    expect((await call(sample, "GET", "/work?ms=-1")).status).to.equal(400);
    expect((await call(sample, "GET", "/work?steps=0")).status).to.equal(400);
  });

  it("a request blocked on an abortable wait, killed over HTTP, answers with the kill message without finishing its step", async () => {
    // Each step of this request lasts 30 s: a history with no "step 2/2" shows the wait was
    // aborted by the kill, with no timing to assert (speed belongs to bench/).
    const work = call(sample, "GET", "/work?ms=60000&steps=2");
    const id = await liveId("GET /work");
    const kill = await call(sample.api, "DELETE", `/procs/${id}`, {
      headers: { "content-type": "application/json" },
      body: '{"message":"stuck on step 1"}',
    });
    expect(kill.status).to.equal(200);
    const answer = await work;
    expect(answer.status).to.equal(503);
    expect(answer.json).to.deep.equal({ error: `task "${id}" was cancelled: stuck on step 1` });
    const history = (await call(sample.api, "GET", `/procs/${id}/history`)).json.history;
    expect(history.at(-1).status).to.equal("killed: stuck on step 1");
    expect(history.map((e: { status: string }) => e.status)).to.deep.equal([
      "init",
      "step 1/2",
      "[cancel request: stuck on step 1]",
      "killed: stuck on step 1",
    ]);
  });
});
