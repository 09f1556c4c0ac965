import { expect } from "chai";
import { serveFleet, type ServedApi } from "../../lib";
import { readProcs } from "../../lib/fleet/list";
import { FleetReader } from "../../lib/fleet/reader";
import { SseParser } from "../../lib/client/sse";
import type { WireProcList } from "../../lib/wire/shapes";
import { validateWire } from "../../lib/wire/schemas";
import { InstanceProcess, startThree } from "./instances";
import { RedisServer } from "../../samples/redis-server";
import { waitFor } from "../helpers";

describe("serveFleet", function () {
  this.timeout(90_000);
  let redis: RedisServer;
  const instances: InstanceProcess[] = [];
  let api: ServedApi | undefined;
  let reader: FleetReader;
  let seq = 0;
  let service: string;

  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    await redis.stop();
  });
  beforeEach(async () => {
    service = `web${++seq}`;
    await startThree(redis.url, service, instances);
    reader = new FleetReader({ redis: redis.url, service });
    await waitFor("every task published", async () => (await readProcs(reader)).length === 6);
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
    await reader.close();
    await Promise.all(instances.splice(0).map((i) => i.kill()));
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(api!.url + path, { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("answers GET /procs/ with every instance's tasks, in the wire shape, each with its instance", async () => {
    api = await serveFleet({ redis: redis.url, service, port: 0 });
    const { status, body } = await get("/procs/");
    expect(status).to.equal(200);
    expect(validateWire.procList(body), JSON.stringify(validateWire.procList.errors)).to.equal(true);
    const procs = (body as unknown as WireProcList).procs;
    expect(procs.map((p) => `${p.instance} ${p.id}`).sort()).to.deep.equal([
      "a a/a1",
      "a a/a2",
      "b b/b1",
      "b b/b2",
      "b b/forbid-b",
      "c c/c1",
    ]);
    const filtered = await get("/procs/?name=job&status=waiting&sort=id&limit=2");
    expect((filtered.body as unknown as WireProcList).procs.map((p) => p.id)).to.deep.equal(["a/a1", "a/a2"]);
    const listed = await get("/instances");
    expect((listed.body.instances as { instance: string; state: string }[]).map((i) => `${i.instance}:${i.state}`)).to.deep.equal([
      "a:up",
      "b:up",
      "c:up",
    ]);
  });

  it("gives the original Go client's User-Agent attribute values as strings, and everyone else the typed values", async () => {
    api = await serveFleet({ redis: redis.url, service, port: 0 });
    const attrsOf = (body: Record<string, unknown>) => (body as unknown as WireProcList).procs.find((p) => p.id === "b/b1")!.attrs;
    for (const agent of ["go-pm", "Go-http-client/1.1"]) {
      expect(attrsOf((await get("/procs/", { "user-agent": agent })).body)).to.deep.equal({ n: "b1", len: "2" });
      expect(attrsOf((await get("/procs/?sort=id", { "user-agent": agent })).body)).to.deep.equal({ n: "b1", len: "2" });
      expect(((await get("/procs/b/b1", { "user-agent": agent })).body.proc as { attrs: unknown }).attrs).to.deep.equal({
        n: "b1",
        len: "2",
      });
    }
    expect(attrsOf((await get("/procs/")).body)).to.deep.equal({ n: "b1", len: 2 });
    expect(((await get("/procs/b/b1")).body.proc as { attrs: unknown }).attrs).to.deep.equal({ n: "b1", len: 2 });
  });

  it("DELETE /procs/<instance>/<id> ends the task on its instance only and answers as serve does", async () => {
    api = await serveFleet({ redis: redis.url, service, port: 0 });
    const res = await fetch(`${api.url}/procs/b/b1`, {
      method: "DELETE",
      body: JSON.stringify({ message: "stuck" }),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.include({ id: "b/b1", cancelling: true, message: "stuck" });
    expect(await waitFor("b1 ended", () => instances[1].said("ended"))).to.deep.equal({
      ended: "b1",
      outcome: "killed",
      killedBy: "127.0.0.1@fleet-api",
    });
    expect(instances[0].said("ended")).to.equal(undefined);
    expect(instances[2].said("ended")).to.equal(undefined);
    // The whole name percent-encoded as one segment, as the page sends it.
    const forbidden = await fetch(`${api.url}/procs/${encodeURIComponent("b/forbid-b")}`, { method: "DELETE" });
    expect(forbidden.status).to.equal(403);
    expect((await fetch(`${api.url}/procs/a/nope`, { method: "DELETE" })).status).to.equal(404);
    expect((await fetch(`${api.url}/procs/ghost/x`, { method: "DELETE" })).status).to.equal(404);
  });

  it("answers a task, its history (both path forms) and the finished list from the instance", async () => {
    api = await serveFleet({ redis: redis.url, service, port: 0 });
    const task = await get("/procs/a/a2");
    expect(task.status).to.equal(200);
    expect(task.body.proc).to.deep.include({ id: "a/a2", instance: "a", status: "waiting" });
    for (const path of ["/procs/a/a2/history", `/procs/${encodeURIComponent("a/a2")}/history`]) {
      const history = await get(path);
      expect(history.status, path).to.equal(200);
      expect((history.body.history as { status: string }[]).map((e) => e.status)).to.deep.equal(["init", "waiting"]);
    }
    await fetch(`${api.url}/procs/c/c1`, { method: "DELETE" });
    await waitFor("c1 finished", async () =>
      ((await get("/procs/finished")).body.finished as { id: string }[]).some((p) => p.id === "c/c1"),
    );
    const stats = await get("/stats");
    expect((stats.body.stats as { name: string; started: number }[]).find((s) => s.name === "job")?.started).to.equal(6);
  });

  it("keeps the token, protected-mode and CORS rules of serve", async () => {
    api = await serveFleet({ redis: redis.url, service, port: 0, token: { alice: "s3cret" }, cors: ["http://localhost:5173"] });
    expect((await get("/procs/")).status).to.equal(401);
    const ok = await fetch(`${api.url}/procs/`, { headers: { authorization: "Bearer s3cret", origin: "http://localhost:5173" } });
    expect(ok.status).to.equal(200);
    expect(ok.headers.get("access-control-allow-origin")).to.equal("http://localhost:5173");
    const killed = await fetch(`${api.url}/procs/a/a1`, { method: "DELETE", headers: { authorization: "Bearer s3cret" } });
    expect(killed.status).to.equal(200);
    expect(await waitFor("a1 ended", () => instances[0].said("ended"))).to.deep.include({ killedBy: "alice@fleet-api" });
    await api.close();
    api = await serveFleet({ redis: redis.url, service, port: 0, peer: () => "10.0.0.9" });
    const remote = await fetch(`${api.url}/procs/b/b2`, { method: "DELETE" });
    expect(remote.status).to.equal(403);
    expect(((await remote.json()) as { error: string }).error).to.match(/^protected mode/);
    expect(instances[1].said("ended")).to.equal(undefined);
  });

  it("streams every instance's events with fleet ids on GET /procs/events", async () => {
    api = await serveFleet({ redis: redis.url, service, port: 0 });
    const controller = new AbortController();
    const res = await fetch(`${api.url}/procs/events`, { signal: controller.signal });
    const parser = new SseParser();
    const seen: { event: string; data: Record<string, unknown> }[] = [];
    const reading = (async () => {
      for await (const chunk of res.body!.pipeThrough(new TextDecoderStream()))
        for (const m of parser.feed(chunk)) seen.push({ event: m.event, data: JSON.parse(m.data) as Record<string, unknown> });
    })().catch(() => undefined);
    // Instances relay only while someone listens: start tasks until one shows up in the stream.
    let n = 0;
    await waitFor("a start event from instance c", () => {
      instances[2].send(`start e${++n}`);
      return seen.some((s) => s.event === "start" && (s.data.proc as { id: string }).id.startsWith("c/e"));
    });
    const start = seen.find((s) => s.event === "start")!;
    expect(start.data.proc).to.deep.include({ instance: "c", name: "job" });
    controller.abort();
    await reading;
  });
});
