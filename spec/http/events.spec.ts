import { expect } from "chai";
import type { ProcessManager, ServedApi } from "../../lib";
import { validateWire } from "../../lib/wire/schemas";
import { tick } from "../helpers";
import { EventStream as Stream } from "./event-stream";
import { call, startApi } from "./http-helpers";

describe("GET /procs/events", () => {
  let api: ServedApi & { manager: ProcessManager };
  let pm: ProcessManager;
  let streams: Stream[];
  beforeEach(async () => {
    api = await startApi({ heartbeatMs: 50 });
    pm = api.manager;
    streams = [];
  });
  afterEach(async () => {
    for (const s of streams) s.close();
    await api.close();
  });
  const open = async (path?: string) => {
    const s = await Stream.open(api, path);
    streams.push(s);
    return s;
  };

  it("streams start, status, attr, kill and done events as SSE, each data a WireEvent", async () => {
    const stream = await open();
    expect(stream.res.statusCode).to.equal(200);
    expect(stream.res.headers["content-type"]).to.equal("text/event-stream; charset=utf-8");
    const t = pm.start("t", { name: "job", attrs: { user: "ann" } });
    t.status("reading");
    t.setAttribute("rows", 3);
    t.deleteAttribute("user");
    pm.kill("t", "stop", "ops@127.0.0.1");
    pm.done("t", pm.get("t")!.cancel);
    await stream.waitFor((s) => s.messages.length === 6);
    const messages = stream.messages;
    expect(messages.map((m) => m.event)).to.deep.equal(["start", "status", "attr", "attr", "kill", "done"]);
    for (const m of messages) {
      expect(validateWire.event(m.data), JSON.stringify(m.data)).to.equal(true);
      expect(m.data.type).to.equal(m.event);
    }
    const [start, status, set, del, kill, done] = messages.map((m) => m.data);
    expect(start.proc).to.include({ id: "t", name: "job", status: "init" });
    expect(start.proc.attrs).to.deep.equal({ user: "ann" });
    expect(status).to.include({ id: "t", status: "reading" });
    expect(set).to.deep.include({ id: "t", key: "rows", value: 3, deleted: false });
    expect(del).to.include({ id: "t", key: "user", deleted: true });
    expect(del).to.not.have.property("value");
    expect(kill).to.include({ id: "t", message: "stop", by: "ops@127.0.0.1" });
    expect(done).to.include({ id: "t", outcome: "killed", status: "killed: stop" });
    expect(done.durationMs).to.be.a("number");
  });

  it("says on done why an aborted task failed; ended and killed tasks carry no error", async () => {
    const stream = await open();
    pm.start("bad");
    pm.start("fine");
    pm.start("stopped");
    pm.done("bad", new Error("upstream refused: 503"));
    pm.done("fine");
    pm.kill("stopped", "enough");
    pm.done("stopped", pm.get("stopped")!.cancel);
    await stream.waitFor((s) => s.messages.filter((m) => m.event === "done").length === 3);
    const done = stream.messages.filter((m) => m.event === "done").map((m) => m.data);
    for (const d of done) expect(validateWire.event(d), JSON.stringify(d)).to.equal(true);
    expect(done[0]).to.include({ id: "bad", outcome: "aborted", status: "aborted", error: "upstream refused: 503" });
    expect(done[1]).to.include({ id: "fine", outcome: "ended" }).and.not.have.property("error");
    expect(done[2]).to.include({ id: "stopped", outcome: "killed" }).and.not.have.property("error");
  });

  it("follows one task with ?id= or one name with ?name=", async () => {
    const byId = await open("/procs/events?id=b");
    const byName = await open("/procs/events?name=job");
    pm.start("a", { name: "job" });
    pm.start("b", { name: "other" });
    pm.done("a");
    pm.done("b");
    await byId.waitFor((s) => s.messages.length === 2);
    await byName.waitFor((s) => s.messages.length === 2);
    expect(byId.messages.map((m) => [m.event, m.data.id ?? m.data.proc.id])).to.deep.equal([
      ["start", "b"],
      ["done", "b"],
    ]);
    expect(byName.messages.map((m) => [m.event, m.data.id ?? m.data.proc.id])).to.deep.equal([
      ["start", "a"],
      ["done", "a"],
    ]);
  });

  it("sends heartbeat comments while nothing happens", async () => {
    const stream = await open();
    await stream.waitFor((s) => s.text.split(": ping").length > 2);
  });

  it("listens to the manager only while a client is connected, when it keeps no events for replay", async () => {
    await api.close();
    api = await startApi({ eventReplay: 0 });
    pm = api.manager;
    expect(pm.events.active).to.equal(false);
    const stream = await open();
    for (let i = 0; i < 2000 && !pm.events.active; i++) await tick(5);
    expect(pm.events.active).to.equal(true);
    stream.close();
    const until = Date.now() + 10_000;
    while (pm.events.active && Date.now() < until) await tick(5);
    expect(pm.events.active).to.equal(false);
  });

  it("drops a client that stops reading once its buffer bound is passed, never buffering without end", async () => {
    await api.close();
    api = await startApi({ eventBufferBytes: 64 * 1024, eventReplay: 0 });
    pm = api.manager;
    const stream = await open();
    stream.res.pause();
    const t = pm.start("t");
    const big = "x".repeat(1000);
    // At most ~40 MB of events: far more than loopback socket buffers hold.
    for (let round = 0; round < 400 && pm.events.active; round++) {
      for (let i = 0; i < 100; i++) t.setAttribute("blob", big + i);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(pm.events.active, "the slow client was dropped").to.equal(false);
    stream.res.resume();
    await new Promise((resolve) => stream.res.on("end", resolve).on("close", resolve));
    expect(stream.text).to.contain(": dropped");
    // The server still answers.
    expect((await call(api, "GET", "/procs/")).status).to.equal(200);
  });

  it("refuses streams past maxEventClients with 429 JSON", async () => {
    await api.close();
    api = await startApi({ maxEventClients: 1 });
    await open();
    const refused = await call(api, "GET", "/procs/events");
    expect(refused.status).to.equal(429);
    expect(refused.json.error).to.contain("maxEventClients");
  });

  it("answers 400 for an unknown query parameter", async () => {
    const answer = await call(api, "GET", "/procs/events?since=0");
    expect(answer.status).to.equal(400);
    expect(answer.json.error).to.equal('unknown query parameter "since"');
  });
});
