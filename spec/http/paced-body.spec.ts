import { expect } from "chai";
import { createServer, get, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sendPaced, type PacedBody } from "../../lib/http/lists/send";
import { sendingBodies } from "../../lib/http/lists/pacing";
import { onceEnded } from "../../lib/http/responses/respond";

/** A body of `length` bytes whose pieces run out with an error after `good` of them. */
function failingBody(length: number, good: number): PacedBody {
  return {
    length,
    madeAsSent: true,
    *pieces() {
      for (let i = 0; i < good; i++) yield Buffer.alloc(64 * 1024, 0x20);
      throw new Error("a piece that cannot be made");
    },
  };
}

/** GETs `path`: the status and body, or the error that cut the answer off. */
function fetchRaw(port: number, path: string): Promise<{ status?: number; body?: string; error?: Error }> {
  return new Promise((resolve) => {
    get({ host: "127.0.0.1", port, path }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode, body }));
      res.on("error", (error) => resolve({ status: res.statusCode, error }));
      res.on("aborted", () => resolve({ status: res.statusCode, error: new Error("aborted") }));
    }).on("error", (error) => resolve({ error }));
  });
}

describe("sendPaced(): a body whose piece cannot be made", () => {
  let server: Server;
  let uncaught: unknown[];
  const onUncaught = (error: unknown) => uncaught.push(error);

  beforeEach(async () => {
    uncaught = [];
    process.on("uncaughtException", onUncaught);
    server = createServer((req, res) => {
      if (req.url === "/broken") sendPaced(res, failingBody(1024 * 1024, 2), "}");
      else sendPaced(res, { length: 2, pieces: () => [Buffer.from("{}")][Symbol.iterator]() }, "");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });

  afterEach(async () => {
    process.off("uncaughtException", onUncaught);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("cuts that answer off (the client sees a broken body, never a short one passed as whole), and the server answers the next request", async () => {
    const { port } = server.address() as AddressInfo;
    const broken = await fetchRaw(port, "/broken");
    expect(broken.status).to.equal(200);
    expect(broken.error, "the cut-off answer").to.be.instanceOf(Error);
    const next = await fetchRaw(port, "/ok");
    expect(next).to.deep.equal({ status: 200, body: "{}" });
    expect(uncaught).to.deep.equal([]);
  });
});

describe("sendPaced(): an answer made after its client went away", () => {
  let server: Server | undefined;
  afterEach(() => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined))));

  it("counts no body as being sent (the count once never came down, and every later list rebuild waited for it)", async () => {
    let received: (res: ServerResponse) => void = () => undefined;
    const arrived = new Promise<ServerResponse>((resolve) => (received = resolve));
    server = createServer((_req, res) => received(res));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const req = get({ host: "127.0.0.1", port: (server.address() as AddressInfo).port, path: "/" });
    req.on("error", () => undefined);
    const res = await arrived;
    const gone = new Promise((resolve) => res.once("close", resolve));
    req.destroy();
    await gone; // the client went away before its answer was made
    const body: PacedBody = {
      length: 1 << 20,
      *pieces() {
        yield Buffer.alloc(1 << 20);
      },
    };
    sendPaced(res, body, "");
    expect(sendingBodies()).to.equal(false);
    let ended = false;
    onceEnded(res, () => (ended = true));
    expect(ended).to.equal(true);
  });
});
