import { expect } from "chai";
import type { ServedApi } from "../../lib";
import { rawAnswer, startApi } from "../http/http-helpers";

function parse(answer: string): { status: number; contentType: string | undefined; body: any } {
  const [head, body] = answer.split("\r\n\r\n");
  const status = Number(head.split(" ")[1]);
  const contentType = /^content-type: *(.*)$/im.exec(head)?.[1];
  return { status, contentType, body: JSON.parse(body) };
}

describe("Node's own answers are JSON too", () => {
  let api: ServedApi;
  beforeEach(async () => (api = await startApi()));
  afterEach(() => api.close());

  it("answers an HTTP/1.1 request without Host 400 in JSON, saying what to send", async () => {
    const answer = parse(await rawAnswer(api.port, "GET /procs/ HTTP/1.1\r\nConnection: close\r\n\r\n"));
    expect(answer.status).to.equal(400);
    expect(answer.contentType).to.equal("application/json");
    expect(answer.body.error).to.contain("without a Host header");
  });

  it("still serves HTTP/1.0 without Host, which needs none", async () => {
    const answer = parse(await rawAnswer(api.port, "GET /procs/ HTTP/1.0\r\n\r\n"));
    expect(answer.status).to.equal(200);
    expect(answer.body.procs).to.deep.equal([]);
  });

  it("answers an unknown Expect 417 in JSON, naming it", async () => {
    const answer = parse(
      await rawAnswer(api.port, "GET /procs/ HTTP/1.1\r\nHost: localhost\r\nExpect: teapot\r\nConnection: close\r\n\r\n"),
    );
    expect(answer.status).to.equal(417);
    expect(answer.contentType).to.equal("application/json");
    expect(answer.body.error).to.equal('unsupported Expect header "teapot": only "100-continue" is understood');
  });

  it("keeps answering Expect: 100-continue as before", async () => {
    const answer = await rawAnswer(
      api.port,
      "GET /procs/ HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
    );
    expect(answer).to.match(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
  });
});
