import { expect } from "chai";
import { createApp, type ProcessManager, type ServedApi } from "../../lib";
import { call, startApi } from "./http-helpers";

describe("HTTP API CORS", () => {
  let api: ServedApi & { manager: ProcessManager };
  afterEach(() => api.close());

  it("sends no Access-Control-Allow-Origin by default, never a wildcard", async () => {
    api = await startApi();
    api.manager.start("t");
    for (const [method, path] of [
      ["GET", "/procs/"],
      ["GET", "/procs/t/history"],
      ["OPTIONS", "/procs/t"],
      ["DELETE", "/procs/t"],
    ]) {
      const answer = await call(api, method, path, { headers: { origin: "http://evil.example" } });
      expect(answer.headers, `${method} ${path}`).to.not.have.property("access-control-allow-origin");
    }
  });

  it("echoes a listed origin, with Vary: Origin, on answers and errors alike; others get nothing", async () => {
    api = await startApi({ cors: ["http://localhost:5173", "https://ops.example.com"] });
    const ok = await call(api, "GET", "/procs/", { headers: { origin: "https://ops.example.com" } });
    expect(ok.headers["access-control-allow-origin"]).to.equal("https://ops.example.com");
    expect(ok.headers.vary).to.equal("Origin");
    const notFound = await call(api, "GET", "/procs/nope", { headers: { origin: "http://localhost:5173" } });
    expect(notFound.status).to.equal(404);
    expect(notFound.headers["access-control-allow-origin"]).to.equal("http://localhost:5173");
    const other = await call(api, "GET", "/procs/", { headers: { origin: "http://localhost:5174" } });
    expect(other.headers).to.not.have.property("access-control-allow-origin");
  });

  it("answers a preflight from a listed origin so a page may DELETE with a token", async () => {
    api = await startApi({ cors: ["http://localhost:5173"] });
    const answer = await call(api, "OPTIONS", "/procs/t", {
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "DELETE",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    expect(answer.status).to.equal(204);
    expect(answer.headers["access-control-allow-origin"]).to.equal("http://localhost:5173");
    expect(answer.headers["access-control-allow-methods"]).to.contain("DELETE");
    expect(answer.headers["access-control-allow-headers"]).to.equal("Authorization, Content-Type");
  });

  it("refuses a wildcard or a malformed origin at construction with a TypeError", async () => {
    expect(() => createApp({ cors: ["*"] })).to.throw(TypeError, /cors.*wildcard/);
    expect(() => createApp({ cors: ["localhost:5173"] })).to.throw(TypeError, /cors/);
    expect(() => createApp({ cors: "http://a.example" as never })).to.throw(TypeError, /cors/);
    api = await startApi();
  });
});
