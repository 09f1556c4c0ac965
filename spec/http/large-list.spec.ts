import { expect } from "chai";
import { request } from "node:http";
import type { ServedApi } from "../../lib";
import { call, startApi } from "./http-helpers";

/** A list body large enough to be sent a slice per event-loop turn (over 256 KiB). */
describe("GET /procs/ with a large list", () => {
  let api: ServedApi & { manager: import("../../lib").ProcessManager };
  beforeEach(async () => {
    api = await startApi();
    for (let i = 0; i < 3_000; i++) api.manager.start(`big-${i}`, { attrs: { uri: `/orders/${i}?${"x".repeat(200)}`, note: "é✓" } });
  });
  afterEach(() => api.close());

  it("answers the whole list, intact, with the right length, to several clients at once", async () => {
    const answers = await Promise.all([0, 1, 2, 3].map(() => call(api, "GET", "/procs/")));
    for (const answer of answers) {
      expect(answer.status).to.equal(200);
      expect(Number(answer.headers["content-length"]))
        .to.equal(Buffer.byteLength(answer.text))
        .and.to.be.above(256 * 1024);
      expect(answer.json.procs).to.have.length(3_000);
      expect(answer.json.procs[2_999]).to.include({ id: "big-2999" });
      expect(answer.json.procs[0].attrs.note).to.equal("é✓");
    }
  });

  it("keeps serving after a client leaves in the middle of a body", async () => {
    const url = new URL(api.url);
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: "/procs/", agent: false }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", (error) => ((error as NodeJS.ErrnoException).code === "ECONNRESET" ? resolve() : reject(error)));
      req.end();
    });
    const answer = await call(api, "GET", "/procs/");
    expect(answer.status).to.equal(200);
    expect(answer.json.procs).to.have.length(3_000);
  });
});
