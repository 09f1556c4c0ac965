import { expect } from "chai";
import type { ServerResponse } from "node:http";
import { AuthenticationError, InvalidResponseError, ProclistClient, TransportError, type RemoteEvent, type RemoteError } from "../../lib";
import { rejectionOf, tick } from "../helpers";
import { MAX_MESSAGE_CHARS } from "../../lib/client/sse";
import { fakeServer, json, type FakeServer } from "./fake-server";

const T = "2026-11-24T09:00:00.000001Z";
const MS = Date.parse("2026-11-24T09:00:00Z") + 0.001;
const proc = { id: "a", procTime: T, statusTime: T, status: "init", name: "Svc.run", attrs: { n: 1 } };

function sse(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.flushHeaders();
}

function send(res: ServerResponse, data: object, id?: string): void {
  res.write(`${id === undefined ? "" : `id: ${id}\n`}event: ${(data as { type: string }).type}\ndata: ${JSON.stringify(data)}\n\n`);
}

async function take<T>(iterator: AsyncIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  while (out.length < n) {
    const { done, value } = await iterator.next();
    if (done) break;
    out.push(value);
  }
  return out;
}

describe("ProclistClient.events()", () => {
  let server: FakeServer;
  afterEach(() => server.close());

  it("yields each event type with times in epoch ms", async () => {
    server = await fakeServer((req, res) => {
      sse(res);
      res.write(": keep-alive\n\n");
      send(res, { type: "start", ts: T, proc });
      send(res, { type: "status", ts: T, id: "a", status: "reading" });
      send(res, { type: "attr", ts: T, id: "a", key: "size", value: { kb: 4 }, deleted: false });
      send(res, { type: "attr", ts: T, id: "a", key: "n", deleted: true });
      send(res, { type: "kill", ts: T, id: "a", message: "stuck", by: "127.0.0.1" });
      send(res, { type: "done", ts: T, id: "a", outcome: "killed", status: "killed: stuck", durationMs: 12.5 });
      send(res, { type: "done", ts: T, id: "b", outcome: "aborted", status: "aborted", durationMs: 3, error: "timeout" });
    });
    const events = await take(new ProclistClient(server.url).events(), 7);
    expect(events).to.deep.equal([
      {
        type: "start",
        ts: MS,
        proc: { id: "a", attrs: { n: 1 }, procTime: MS, statusTime: MS, status: "init", cancelling: false, name: "Svc.run" },
      },
      { type: "status", ts: MS, id: "a", status: "reading" },
      { type: "attr", ts: MS, id: "a", key: "size", value: { kb: 4 }, deleted: false },
      { type: "attr", ts: MS, id: "a", key: "n", deleted: true },
      { type: "kill", ts: MS, id: "a", message: "stuck", by: "127.0.0.1" },
      { type: "done", ts: MS, id: "a", outcome: "killed", status: "killed: stuck", durationMs: 12.5 },
      { type: "done", ts: MS, id: "b", outcome: "aborted", status: "aborted", durationMs: 3, error: "timeout" },
    ] satisfies RemoteEvent[]);
    expect(server.seen[0]).to.include({ url: "/procs/events" });
    expect(server.seen[0].headers.accept).to.equal("text/event-stream");
  });

  it("reconnects after a dropped connection, with Last-Event-ID, and reports both sides", async () => {
    let connections = 0;
    server = await fakeServer((req, res) => {
      connections++;
      sse(res);
      if (connections === 1) {
        send(res, { type: "status", ts: T, id: "a", status: "one" }, "41");
        setTimeout(() => res.socket?.destroy(), 20);
      } else {
        send(res, { type: "status", ts: T, id: "a", status: "two" }, "42");
      }
    });
    const lost: RemoteError[] = [];
    let connects = 0;
    const iterator = new ProclistClient(server.url).events({
      minRetryMs: 10,
      onConnect: () => connects++,
      onDisconnect: (error) => lost.push(error),
    });
    const events = await take(iterator, 2);
    await iterator.return();
    expect(events.map((e) => (e as { status: string }).status)).to.deep.equal(["one", "two"]);
    expect(server.seen[1].headers["last-event-id"]).to.equal("41");
    expect(connects).to.equal(2);
    expect(lost).to.have.length(1);
    expect(lost[0]).to.be.instanceOf(TransportError).and.have.property("url", `${server.url}/procs/events`);
  });

  it("reconnects when a connection goes silent past idleTimeoutMs, not even a heartbeat arriving", async () => {
    let connections = 0;
    server = await fakeServer((req, res) => {
      connections++;
      sse(res);
      // the first connection sends one event, then stays open and silent: a half-dead peer
      send(res, { type: "status", ts: T, id: "a", status: connections === 1 ? "before" : "after" });
    });
    const lost: RemoteError[] = [];
    const iterator = new ProclistClient(server.url).events({
      idleTimeoutMs: 150,
      minRetryMs: 10,
      onDisconnect: (error) => lost.push(error),
    });
    const events = await take(iterator, 3);
    await iterator.return();
    expect(events.map((e) => (e.type === "reset" ? "reset" : (e as { status: string }).status))).to.deep.equal([
      "before",
      "reset",
      "after",
    ]);
    expect(connections).to.equal(2);
    expect(lost).to.have.length(1);
    expect(lost[0]).to.be.instanceOf(TransportError);
    expect(lost[0].message).to.match(/nothing arrived for 150 ms, not even a heartbeat/);
  });

  it("retries a 503 once connected, with growing waits", async () => {
    let connections = 0;
    server = await fakeServer((req, res) => {
      connections++;
      if (connections === 1) return (sse(res), res.end());
      if (connections < 4) return json(res, 503, { error: "restarting" });
      sse(res);
      send(res, { type: "status", ts: T, id: "a", status: "back" });
    });
    const waits: number[] = [];
    const [reset, event] = await take(
      new ProclistClient(server.url).events({ minRetryMs: 10, onDisconnect: (_e, ms) => waits.push(ms) }),
      2,
    );
    expect(reset).to.include({ type: "reset" });
    expect(event).to.include({ status: "back" });
    expect(waits).to.deep.equal([10, 20, 40]);
  });

  it("closes the connection when the consumer breaks out of the loop", async () => {
    let closed = false;
    server = await fakeServer((req, res) => {
      sse(res);
      res.on("close", () => (closed = true));
      const timer = setInterval(() => send(res, { type: "status", ts: T, id: "a", status: "tick" }), 5);
      res.on("close", () => clearInterval(timer));
    });
    let seen = 0;
    for await (const _event of new ProclistClient(server.url).events()) if (++seen === 3) break;
    for (let i = 0; i < 500 && !closed; i++) await tick(10);
    expect(closed).to.equal(true);
  });

  it("ends quietly when its signal aborts, while waiting for data or between retries", async () => {
    server = await fakeServer((req, res) => sse(res));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await take(new ProclistClient(server.url).events({ signal: controller.signal }), 1)).to.deep.equal([]);

    let connections = 0;
    const later = await fakeServer((req, res) => (++connections === 1 ? (sse(res), res.end()) : json(res, 503, { error: "down" })));
    const retrying = new AbortController();
    const iterator = new ProclistClient(later.url).events({
      signal: retrying.signal,
      minRetryMs: 60_000,
      onDisconnect: () => retrying.abort(),
    });
    expect(await take(iterator, 1)).to.deep.equal([]);
    await later.close();
  });

  it("ends with InvalidResponseError on an event that breaks the schema", async () => {
    server = await fakeServer((req, res) => {
      sse(res);
      res.write(`event: status\ndata: ${JSON.stringify({ type: "status", ts: T, status: "x" })}\n\n`);
    });
    const error = await rejectionOf(new ProclistClient(server.url).events().next());
    expect(error)
      .to.be.instanceOf(InvalidResponseError)
      .and.include({ field: "id", url: `${server.url}/procs/events` });
  });

  it("ends with InvalidResponseError when a message grows past the bound, holding nothing more", async () => {
    server = await fakeServer((req, res) => {
      sse(res);
      const chunk = "x".repeat(1 << 20);
      res.write("data: ");
      for (let i = 0; i <= MAX_MESSAGE_CHARS >> 20; i++) res.write(chunk);
    });
    const error = await rejectionOf(new ProclistClient(server.url).events().next());
    expect(error)
      .to.be.instanceOf(InvalidResponseError)
      .and.include({ url: `${server.url}/procs/events` });
    expect((error as Error).message).to.contain(`longer than ${MAX_MESSAGE_CHARS} characters`);
  });

  it("does not retry a 401 or a refused first connection", async () => {
    server = await fakeServer((req, res) => json(res, 401, { error: "token required" }));
    expect(await rejectionOf(new ProclistClient(server.url).events().next())).to.be.instanceOf(AuthenticationError);
    const url = server.url;
    await server.close();
    const error = await rejectionOf(new ProclistClient(url).events({ minRetryMs: 1 }).next());
    expect(error).to.be.instanceOf(TransportError).and.have.property("url", `${url}/procs/events`);
    server = await fakeServer(() => undefined);
  });
});
