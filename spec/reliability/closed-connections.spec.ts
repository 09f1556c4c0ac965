import { expect } from "chai";
import type { ServedApi } from "../../lib";
import { waitFor } from "../helpers";
import { rawAnswer, startApi } from "../http/http-helpers";

function openConnections(api: ServedApi): Promise<number> {
  return new Promise((resolve, reject) => api.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

describe("issue 13: an answered connection does not stay open on the server", () => {
  let api: ServedApi;
  beforeEach(async () => (api = await startApi()));
  afterEach(() => api.close());

  // Each request is answered, the client closes, and the server must let go of its socket:
  // malformed HTTP used to leave it open for good (paused, half-open, never reading the end).
  const requests: [string, string, RegExp][] = [
    ["malformed HTTP", "GARBAGE\r\n\r\n", /^HTTP\/1\.1 400/],
    ["a bad header", "GET /procs/ HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n", /^HTTP\/1\.1 400/],
    ["HTTP/1.1 without Host", "GET /procs/ HTTP/1.1\r\n\r\n", /^HTTP\/1\.1 400/],
    ["an unknown Expect", "GET /procs/ HTTP/1.1\r\nHost: localhost\r\nExpect: tea\r\n\r\n", /^HTTP\/1\.1 417/],
    ["a bad kill body", "DELETE /procs/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\n{bad}", /^HTTP\/1\.1 400/],
    ["a plain list", "GET /procs/ HTTP/1.1\r\nHost: localhost\r\n\r\n", /^HTTP\/1\.1 200/],
  ];
  for (const [what, text, answer] of requests) {
    it(`after ${what}, sent 50 times by clients that then closed`, async () => {
      const answers = await Promise.all(Array.from({ length: 50 }, () => rawAnswer(api.port, text, { endFirst: true })));
      for (const got of answers) expect(got).to.match(answer);
      await waitFor("the server's connections to close", async () => (await openConnections(api)) === 0);
    });
  }
});
