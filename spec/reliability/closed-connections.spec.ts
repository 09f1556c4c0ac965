import { expect } from "chai";
import { connect, type Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { ProcessManager, type ServedApi } from "../../lib";
import { IDLE_TIMEOUT_MS, MAX_PIPELINED } from "../../lib/http/server/api-server";
import { waitFor } from "../helpers";
import { call, rawAnswer, startApi } from "../http/http-helpers";

function openConnections(api: ServedApi): Promise<number> {
  return new Promise((resolve, reject) => api.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/** A manager with `count` live tasks of ~`bytes` bytes of attributes each. */
function manyTasks(count: number, bytes: number): ProcessManager {
  const manager = new ProcessManager();
  const part = "x".repeat(Math.min(bytes, 1000));
  const attrs: Record<string, string> = {};
  for (let i = 0; i * 1000 < bytes; i++) attrs[`a${i}`] = part;
  for (let i = 0; i < count; i++) manager.start(`t${i}`, { attrs });
  return manager;
}

/** The body of a raw answer, checked against its content-length. */
function wholeBody(answer: string): string {
  const [head, ...rest] = answer.split("\r\n\r\n");
  const body = rest.join("\r\n\r\n");
  const length = Number(/^content-length: *(\d+)$/im.exec(head)?.[1]);
  expect(Buffer.byteLength(body), "bytes received against content-length").to.equal(length);
  return body;
}

describe("every connection ends, and every answer is whole", function () {
  this.timeout(120_000);
  const started: ServedApi[] = [];
  const start = async (options: Parameters<typeof startApi>[0]): Promise<ServedApi> => {
    const api = await startApi(options);
    started.push(api);
    return api;
  };
  afterEach(() => Promise.all(started.splice(0).map((api) => api.close())));

  describe("an answered connection does not stay open on the server", () => {
    let api: ServedApi;
    beforeEach(async () => (api = await start({ heartbeatMs: 600_000 })));

    // Each request is answered, the client closes, and the server must let go of its socket:
    // malformed HTTP used to leave it open for good (paused, half-open, never reading the end).
    const requests: [string, string, RegExp][] = [
      ["malformed HTTP", "GARBAGE\r\n\r\n", /^HTTP\/1\.1 400/],
      ["a bad header", "GET /procs/ HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n", /^HTTP\/1\.1 400/],
      ["HTTP/1.1 without Host", "GET /procs/ HTTP/1.1\r\n\r\n", /^HTTP\/1\.1 400/],
      ["an unknown Expect", "GET /procs/ HTTP/1.1\r\nHost: localhost\r\nExpect: tea\r\n\r\n", /^HTTP\/1\.1 417/],
      ["a bad kill body", "DELETE /procs/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\n{bad}", /^HTTP\/1\.1 400/],
      ["a plain list", "GET /procs/ HTTP/1.1\r\nHost: localhost\r\n\r\n", /^HTTP\/1\.1 200/],
      // The kill route waits for the body; the connection ends before it all came.
      [
        "a kill whose body never fully arrives",
        'DELETE /procs/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{"mess',
        /^HTTP\/1\.1 400/,
      ],
      [
        "a chunked kill body cut short",
        "DELETE /procs/x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n{",
        /^HTTP\/1\.1 400/,
      ],
      // An event stream never finishes: garbage behind it must not wait for it.
      [
        "garbage pipelined behind an event stream",
        "GET /procs/events HTTP/1.1\r\nHost: localhost\r\n\r\nGARBAGE\r\n\r\n",
        /^HTTP\/1\.1 200/,
      ],
    ];
    for (const [what, text, answer] of requests) {
      it(`after ${what}, sent 50 times by clients that then closed`, async () => {
        const answered = Promise.all(Array.from({ length: 50 }, () => rawAnswer(api.port, text, { endFirst: true })));
        // Capped well below the server's 30 s backstop, which closes every faulty connection anyway.
        const answers = await Promise.race([answered, delay(20_000, undefined, { ref: false })]);
        if (answers === undefined) throw new Error("the connections were not answered and closed within 20 s");
        for (const got of answers) expect(got).to.match(answer);
        await waitFor("the server's connections to close", async () => (await openConnections(api)) === 0);
      });
    }

    it("frees an event stream's slot as soon as its client closes, not at a heartbeat", async () => {
      const streams = await start({ heartbeatMs: 600_000, maxEventClients: 4 });
      const opened = await Promise.all(
        Array.from(
          { length: 4 },
          () =>
            new Promise<Socket>((resolve, reject) => {
              const socket = connect(streams.port, "127.0.0.1", () =>
                socket.write("GET /procs/events HTTP/1.1\r\nHost: localhost\r\n\r\n"),
              );
              socket.once("data", () => resolve(socket));
              socket.on("error", reject);
            }),
        ),
      );
      expect((await call(streams, "GET", "/procs/events?id=probe")).status).to.equal(429);
      for (const socket of opened) socket.end();
      await waitFor("the streams' connections to close", async () => (await openConnections(streams)) === 0);
    });

    it("answers CONNECT in JSON (405) instead of closing without a word", async () => {
      const answer = await rawAnswer(api.port, "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n");
      expect(answer).to.match(/^HTTP\/1\.1 405/);
      expect(JSON.parse(wholeBody(answer)).error).to.contain("CONNECT is not supported");
      await waitFor("the server's connections to close", async () => (await openConnections(api)) === 0);
    });
  });

  describe("a client that ends its side after its request gets the whole answer", () => {
    let lists: ServedApi;
    before(async () => (lists = await startApi({ manager: manyTasks(10_000, 200) })));
    after(() => lists.close());

    for (const path of ["/procs/", "/procs/?sort=id", "/procs/?limit=5&sort=-id"]) {
      it(`GET ${path} at 10,000 tasks, answered a slice per turn`, async () => {
        const answer = await rawAnswer(lists.port, `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`, { endFirst: true });
        expect(answer).to.match(/^HTTP\/1\.1 200/);
        const procs = JSON.parse(wholeBody(answer)).procs as unknown[];
        expect(procs).to.have.length(path.includes("limit") ? 5 : 10_000);
      });
    }
  });

  it(`closes a connection idle for ${IDLE_TIMEOUT_MS / 1000} s (a client that stopped reading a large answer), which frees its list slot`, async () => {
    // ~30 MB per sorted list, more than the kernel's buffers take: the server's writes stall.
    const api = await start({ manager: manyTasks(10_000, 3000), maxListQueries: 2 });
    expect(api.server.timeout).to.equal(IDLE_TIMEOUT_MS);
    api.server.setTimeout(300); // what the spec can wait for; the default is the constant above
    const stalled: Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const socket = connect(api.port, "127.0.0.1", () => socket.write("GET /procs/?sort=id HTTP/1.1\r\nHost: localhost\r\n\r\n"));
      socket.on("error", () => undefined);
      socket.pause(); // never reads
      stalled.push(socket);
    }
    try {
      await waitFor("both stalled connections to be closed by the server", async () => (await openConnections(api)) === 0, 60_000);
      const answer = await waitFor("a sorted list answered again", async () => {
        const got = await call(api, "GET", "/procs/?sort=id&limit=1");
        return got.status === 200 ? got : undefined;
      });
      expect(answer.json.procs).to.have.length(1);
    } finally {
      for (const socket of stalled) socket.destroy();
    }
  });

  it(`answers at most ${MAX_PIPELINED} pipelined requests of one connection at once, then 429 and closes`, async () => {
    const api = await start({});
    const answer = await rawAnswer(api.port, "GET /stats HTTP/1.1\r\nHost: localhost\r\n\r\n".repeat(40), { endFirst: true });
    const statuses = [...answer.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    expect(statuses.filter((s) => s === 200)).to.have.length.at.most(MAX_PIPELINED);
    expect(statuses).to.include(429);
    expect(answer).to.contain(`more than ${MAX_PIPELINED} requests pipelined on one connection`);
    await waitFor("the server's connections to close", async () => (await openConnections(api)) === 0);
  });
});
