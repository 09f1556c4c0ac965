import { expect } from "chai";
import { createApp, type ProcessManager, type ServedApi } from "../../lib";
import { call, EVERY_ROUTE, startApi } from "./http-helpers";

describe("HTTP API bearer token", () => {
  let api: (ServedApi & { manager: ProcessManager }) | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
    delete process.env.PROCLIST_TOKEN;
  });

  it("needs Authorization: Bearer <token> on every route when a token is set; 401 JSON otherwise", async () => {
    api = await startApi({ token: "s3cret-token" });
    api.manager.start("t");
    // A preflight is answered before the token check (a browser sends it without credentials); HEAD has no body to read.
    for (const [method, path] of EVERY_ROUTE.filter(([method]) => method !== "OPTIONS" && method !== "HEAD")) {
      for (const authorization of [
        undefined,
        "Bearer wrong",
        "Bearer s3cret-token2",
        "Bearer s3cret-toke",
        "Basic czNjcmV0LXRva2Vu",
        "s3cret-token",
        "Bearer ",
      ]) {
        const answer = await call(api, method, path, { headers: authorization === undefined ? {} : { authorization } });
        expect(answer.status, `${method} ${path} ${authorization}`).to.equal(401);
        // A caller who sent a token learns it was refused; one who sent none, how to send one.
        const sentToken = authorization !== undefined && /^bearer +\S+$/i.test(authorization);
        expect(answer.json.error).to.equal(
          sentToken
            ? "unknown bearer token: this server was started with another one"
            : "this server needs a bearer token: send the header 'Authorization: Bearer <token>'",
        );
        expect(answer.headers["www-authenticate"]).to.contain("Bearer");
      }
    }
    expect(api.manager.get("t")!.cancelling).to.equal(false);
  });

  it("lets a request with the right token through, the scheme in any case", async () => {
    api = await startApi({ token: "s3cret-token" });
    expect((await call(api, "GET", "/procs/", { headers: { authorization: "Bearer s3cret-token" } })).status).to.equal(200);
    expect((await call(api, "GET", "/procs/", { headers: { authorization: "bearer s3cret-token" } })).status).to.equal(200);
    api.manager.start("t");
    const kill = await call(api, "DELETE", "/procs/t", { headers: { authorization: "Bearer s3cret-token" } });
    expect(kill.status).to.equal(200);
    // A single unlabelled token records the peer alone.
    expect(api.manager.get("t")!.killedBy).to.equal("127.0.0.1");
  });

  it("accepts several labelled tokens and records the label of the one used with a kill", async () => {
    api = await startApi({ token: { alice: "alice-token", ci: "ci-token" } });
    api.manager.start("a");
    api.manager.start("b");
    expect((await call(api, "DELETE", "/procs/a", { headers: { authorization: "Bearer ci-token" } })).status).to.equal(200);
    expect((await call(api, "DELETE", "/procs/b", { headers: { authorization: "Bearer alice-token" } })).status).to.equal(200);
    expect(api.manager.get("a")!.killedBy).to.equal("ci@127.0.0.1");
    expect(api.manager.get("b")!.killedBy).to.equal("alice@127.0.0.1");
    expect((await call(api, "GET", "/procs/", { headers: { authorization: "Bearer nobody" } })).status).to.equal(401);
  });

  it("reads the token from PROCLIST_TOKEN when the option is not given", async () => {
    process.env.PROCLIST_TOKEN = "from-the-env";
    api = await startApi();
    expect((await call(api, "GET", "/procs/")).status).to.equal(401);
    expect((await call(api, "GET", "/procs/", { headers: { authorization: "Bearer from-the-env" } })).status).to.equal(200);
  });

  it("rejects a PROCLIST_TOKEN that could never match, with a TypeError", async () => {
    process.env.PROCLIST_TOKEN = "two words";
    expect(() => createApp()).to.throw(TypeError, /PROCLIST_TOKEN/);
    process.env.PROCLIST_TOKEN = "p€ss";
    expect(() => createApp()).to.throw(
      TypeError,
      /invalid PROCLIST_TOKEN: a token is 1-4096 characters without spaces or line breaks, in visible ASCII/,
    );
    process.env.PROCLIST_TOKEN = "t".repeat(4097);
    expect(() => createApp()).to.throw(TypeError, /invalid PROCLIST_TOKEN: a token is 1-4096 characters/);
    process.env.PROCLIST_TOKEN = "t".repeat(4096);
    expect(() => createApp()).to.not.throw();
  });

  it("answers preflights without a token: browsers send them without credentials", async () => {
    api = await startApi({ token: "s3cret-token", cors: ["http://localhost:5173"] });
    const answer = await call(api, "OPTIONS", "/procs/x", {
      headers: { origin: "http://localhost:5173", "access-control-request-method": "DELETE" },
    });
    expect(answer.status).to.equal(204);
    expect(answer.headers["access-control-allow-headers"]).to.contain("Authorization");
  });

  it("needs no token when none is configured", async () => {
    api = await startApi();
    expect((await call(api, "GET", "/procs/")).status).to.equal(200);
  });
});
