import { expect } from "chai";
import { connect } from "node:net";
import type { ProcessManager, ServedApi } from "../../lib";
import { startApi } from "./http-helpers";

/** Reads everything the server sends on one raw connection until it closes it (or `capMs` passes). */
function rawExchange(api: ServedApi, bytes: string, capMs = 15_000): Promise<Buffer> {
  const url = new URL(api.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    const cap = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server neither finished nor closed within ${capMs} ms; got ${Buffer.concat(chunks).length} bytes`));
    }, capMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => undefined); // a reset after the last byte is still an end
    socket.on("close", () => {
      clearTimeout(cap);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** Splits a raw HTTP/1.1 byte stream into responses framed by content-length. */
function responses(raw: Buffer): { status: number; headers: Record<string, string>; body: string }[] {
  const out: { status: number; headers: Record<string, string>; body: string }[] = [];
  let at = 0;
  while (at < raw.length) {
    const end = raw.indexOf("\r\n\r\n", at);
    if (end === -1) throw new Error(`trailing bytes that are not a response: ${JSON.stringify(raw.subarray(at, at + 80).toString())}`);
    const [statusLine, ...lines] = raw.subarray(at, end).toString("latin1").split("\r\n");
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine);
    if (status === null) throw new Error(`not a status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
    const headers = Object.fromEntries(
      lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
    );
    const length = Number(headers["content-length"]);
    expect(length, "every answer is framed by content-length").to.be.a("number").and.not.NaN;
    out.push({ status: Number(status[1]), headers, body: raw.subarray(end + 4, end + 4 + length).toString("utf8") });
    at = end + 4 + length;
  }
  return out;
}

describe("HTTP pipelining", () => {
  let api: ServedApi & { manager: ProcessManager };
  beforeEach(async () => {
    api = await startApi();
    // ~1 MB of list: sent a slice per event-loop turn, so the malformed request is parsed mid-body.
    for (let i = 0; i < 4_000; i++) api.manager.start(`pipe-${i}`, { attrs: { uri: `/orders/${i}?${"x".repeat(200)}` } });
  });
  afterEach(() => api.close());

  it("finishes a large paced list before answering a malformed request pipelined behind it", async () => {
    const raw = await rawExchange(api, "GET /procs/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGARBAGE \x01\x02 NOT HTTP\r\n\r\n");
    const [list, refused, ...rest] = responses(raw);
    expect(list.status).to.equal(200);
    expect(Buffer.byteLength(list.body))
      .to.equal(Number(list.headers["content-length"]))
      .and.to.be.above(256 * 1024);
    const body = JSON.parse(list.body) as { procs: { id: string }[] };
    expect(body.procs).to.have.length(4_000);
    expect(body.procs[3_999].id).to.equal("pipe-3999");
    expect(refused.status).to.equal(400);
    expect(JSON.parse(refused.body))
      .to.have.property("error")
      .that.matches(/malformed HTTP request/);
    expect(rest).to.deep.equal([]);
  });

  it("answers every well-formed request pipelined before the malformed one, in order", async () => {
    const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
    const raw = await rawExchange(api, get("/procs/") + get("/procs/pipe-7") + get("/procs/?limit=2") + "BAD\x00REQUEST\r\n\r\n");
    const answers = responses(raw);
    expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 200, 400]);
    expect(JSON.parse(answers[0].body).procs).to.have.length(4_000);
    expect(JSON.parse(answers[1].body).proc.id).to.equal("pipe-7");
    expect(JSON.parse(answers[2].body).procs).to.have.length(2);
  });

  it("still answers a malformed request at once when nothing is under way", async () => {
    const [refused, ...rest] = responses(await rawExchange(api, "NOT HTTP AT ALL\r\n\r\n"));
    expect(refused.status).to.equal(400);
    expect(rest).to.deep.equal([]);
  });
});
