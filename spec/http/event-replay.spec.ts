import { expect } from "chai";
import { ProclistClient, type ProcessManager, type RemoteEvent, type ServedApi } from "../../lib";
import { validateWire } from "../../lib/wire/schemas";
import { waitFor } from "../helpers";
import { CutProxy } from "./cut-proxy";
import { EventStream } from "./event-stream";
import { startApi } from "./http-helpers";

describe("GET /procs/events with Last-Event-ID", () => {
  let api: ServedApi & { manager: ProcessManager };
  let pm: ProcessManager;
  const streams: EventStream[] = [];
  const open = async (headers: Record<string, string> = {}, path = "/procs/events") => {
    const stream = await EventStream.open(api, path, headers);
    streams.push(stream);
    return stream;
  };
  const start = async (options: Parameters<typeof startApi>[0] = {}) => {
    api = await startApi(options);
    pm = api.manager;
  };
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await api.close();
  });

  it("gives every event an id, and a client coming back with the last one it saw every event after it, in order", async () => {
    await start();
    const first = await open();
    const task = pm.start("t");
    for (let i = 1; i <= 3; i++) task.status(`step ${i}`);
    await first.waitFor((s) => s.messages.length === 4);
    const ids = first.messages.map((m) => m.id);
    expect(ids.every((id) => typeof id === "string" && /^\w+\.\d+$/.test(id!))).to.equal(true);
    expect(new Set(ids).size).to.equal(4);
    first.close();
    for (let i = 4; i <= 6; i++) task.status(`step ${i}`);
    const again = await open({ "last-event-id": ids[2]! });
    await again.waitFor((s) => s.messages.length === 4);
    expect(again.messages.map((m) => m.data.status)).to.deep.equal(["step 3", "step 4", "step 5", "step 6"]);
    task.status("step 7");
    await again.waitFor((s) => s.messages.length === 5);
    expect(again.messages[4].data.status).to.equal("step 7");
  });

  it("replays only what the reconnecting client follows (?id=, ?name=)", async () => {
    await start();
    const first = await open({}, "/procs/events?name=job");
    pm.start("a", { name: "job" });
    await first.waitFor((s) => s.messages.length === 1);
    first.close();
    pm.start("b", { name: "other" });
    pm.done("a");
    pm.done("b");
    const again = await open({ "last-event-id": first.messages[0].id! }, "/procs/events?name=job");
    pm.start("c", { name: "job" });
    await again.waitFor((s) => s.messages.length === 2);
    expect(again.messages.map((m) => `${m.event} ${m.data.id ?? m.data.proc.id}`)).to.deep.equal(["done a", "start c"]);
  });

  it("sends one reset event, with an id, to a client further behind than the ring, then goes on live", async () => {
    await start({ eventReplay: 100 });
    const first = await open();
    const task = pm.start("t");
    await first.waitFor((s) => s.messages.length === 1);
    first.close();
    for (let i = 0; i < 500; i++) task.status(`step ${i}`);
    const again = await open({ "last-event-id": first.messages[0].id! });
    task.status("after");
    await again.waitFor((s) => s.messages.length === 2);
    const [reset, next] = again.messages;
    expect(reset.event).to.equal("reset");
    expect(validateWire.event(reset.data)).to.equal(true);
    expect(reset.data.reason).to.match(/no longer kept/);
    expect(reset.id).to.be.a("string");
    expect(next.data.status).to.equal("after");
  });

  it("sends a reset instead of a replay larger than eventBufferBytes, so clients resuming at once cannot hold more than that each", async () => {
    await start({ eventBufferBytes: 16 * 1024 });
    const first = await open();
    const task = pm.start("t");
    await first.waitFor((s) => s.messages.length === 1);
    first.close();
    // ~100 KiB of events: well inside the ring (count and characters), six times the buffer.
    const step = "x".repeat(1000);
    for (let i = 0; i < 100; i++) task.status(`${i} ${step}`);
    const resumed = await Promise.all([1, 2, 3].map(() => open({ "last-event-id": first.messages[0].id! })));
    task.status("after");
    for (const again of resumed) {
      await again.waitFor((s) => s.messages.some((m) => m.data.status === "after"));
      const [reset, next, ...rest] = again.messages;
      expect(reset.event).to.equal("reset");
      expect(reset.data.reason).to.match(/more than eventBufferBytes/);
      expect(next.data.status).to.equal("after");
      expect(rest).to.deep.equal([]);
    }
    // A replay that fits is still given in full.
    const near = resumed[0].messages[0].id!;
    task.status("one");
    task.status("two");
    const close = await open({ "last-event-id": near });
    await close.waitFor((s) => s.messages.length === 3);
    expect(close.messages.map((m) => m.data.status)).to.deep.equal(["after", "one", "two"]);
  });

  it("sends a reset for an id it never gave (another server, or this one restarted)", async () => {
    await start();
    const stream = await open({ "last-event-id": "zzzz.12" });
    await stream.waitFor((s) => s.messages.length === 1);
    expect(stream.messages[0].event).to.equal("reset");
    expect(stream.messages[0].data.reason).to.match(/has not kept these events/);
    for (const garbage of ["", "12", "x.", "a.b.c", "a.1e3", "a.99999999999999999999"]) {
      const other = await open({ "last-event-id": garbage });
      pm.start(`g${streams.length}`);
      await other.waitFor((s) => s.messages.length >= 1);
      if (garbage !== "") expect(other.messages[0].event).to.equal("reset");
      else expect(other.messages[0].event).to.equal("start");
    }
  });

  it("keeps recording eventReplayKeepMs after the last client left, then stops listening and forgets", async () => {
    await start({ eventReplayKeepMs: 300 });
    const first = await open();
    pm.start("t");
    await first.waitFor((s) => s.messages.length === 1);
    first.close();
    expect(pm.events.active).to.equal(true);
    await waitFor("the manager no longer listened to", () => !pm.events.active);
    pm.start("unseen");
    const again = await open({ "last-event-id": first.messages[0].id! });
    await again.waitFor((s) => s.messages.length === 1);
    expect(again.messages[0].event).to.equal("reset");
  });

  it("resumes a client cut off for 2 s at 1,000 events/s with no gap, no duplicate and the order kept", async function () {
    this.timeout(120_000);
    await start();
    const proxy = await CutProxy.start(api.url);
    const stop = new AbortController();
    const task = pm.start("busy");
    let sent = 0;
    // 1,000 status changes a second, in 10 ms turns of 10.
    const producer = setInterval(() => {
      for (let i = 0; i < 10; i++) task.status(`n${++sent}`);
    }, 10);
    const received: RemoteEvent[] = [];
    let disconnects = 0;
    const client = new ProclistClient(proxy.url, { timeoutMs: 5_000 });
    const reading = (async () => {
      for await (const event of client.events({
        signal: stop.signal,
        id: "busy",
        minRetryMs: 100,
        maxRetryMs: 500,
        onDisconnect: () => disconnects++,
      }))
        received.push(event);
    })();
    try {
      await waitFor("the stream to carry events", () => received.length > 500);
      proxy.cut();
      const cutAt = Date.now();
      const sentAtCut = sent;
      await waitFor("2 s of outage", () => Date.now() - cutAt >= 2_000);
      const missedWhileDown = sent - sentAtCut;
      proxy.restore();
      const target = sent + 500;
      await waitFor(
        "the client to catch up past the outage",
        () => received.some((e) => e.type === "status" && e.status === `n${target}`),
        60_000,
      );
      expect(disconnects).to.be.greaterThan(0);
      expect(missedWhileDown).to.be.greaterThan(500);
    } finally {
      clearInterval(producer);
      stop.abort();
      await reading.catch(() => undefined);
      await proxy.close();
    }
    expect(received.filter((e) => e.type === "reset")).to.deep.equal([]);
    const numbers = received.map((e) => (e.type === "status" ? Number(e.status.slice(1)) : NaN));
    const first = numbers[0];
    numbers.forEach((n, i) => expect(n, `event ${i}`).to.equal(first + i));
  });
});
