import { expect } from "chai";
import { createApp, type ProcessManager, type ServeOptions, type ServedApi } from "../../lib";
import { call, startApi } from "./http-helpers";

describe("protected mode against DNS rebinding", () => {
  let api: ServedApi & { manager: ProcessManager };
  afterEach(() => api.close());
  const start = async (options: ServeOptions = {}) => {
    api = await startApi(options);
    api.manager.start("t");
  };
  const status = async (host: string, method = "GET", path = "/procs/", headers: Record<string, string> = {}) =>
    (await call(api, method, path, { headers: { host, ...headers } })).status;

  it("refuses a loopback request addressed to a foreign host name, reads and kills alike, with a 403 saying why", async () => {
    await start();
    const answer = await call(api, "GET", "/procs/", { headers: { host: "evil.example:8081" } });
    expect(answer.status).to.equal(403);
    expect(answer.json.error).to.contain("DNS rebinding").and.contain("allowedHosts").and.contain('"evil.example:8081"');
    expect(await status("evil.example:8081", "DELETE", "/procs/t")).to.equal(403);
    expect(await status("evil.example", "GET", "/procs/events")).to.equal(403);
    expect(api.manager.get("t")!.cancelling).to.equal(false);
  });

  it("accepts IP literals and localhost names", async () => {
    await start();
    for (const host of [
      "127.0.0.1:8081",
      "127.0.0.1",
      "localhost:8081",
      "LOCALHOST",
      "[::1]:8081",
      "app.localhost:3000",
      "10.0.0.5:8081",
    ]) {
      expect(await status(host), host).to.equal(200);
    }
  });

  it("accepts the names listed in allowedHosts, in any case", async () => {
    await start({ allowedHosts: ["myapp.test"] });
    expect(await status("myapp.test:8081")).to.equal(200);
    expect(await status("MyApp.Test")).to.equal(200);
    expect(await status("other.test")).to.equal(403);
  });

  it("does not apply once a token is set, nor with protectedMode: false; remote peers are refused outright", async () => {
    await start({ token: "tok-123" });
    expect(await status("myservice.example", "GET", "/procs/", { authorization: "Bearer tok-123" })).to.equal(200);
    await api.close();
    await start({ protectedMode: false });
    expect(await status("myservice.example")).to.equal(200);
    await api.close();
    // A remote peer is refused whatever the Host (issue 13, item 14); with a token it may read.
    await start({ peer: () => "10.1.2.3" });
    expect(await status("myservice.example")).to.equal(403);
    await api.close();
    await start({ peer: () => "10.1.2.3", token: "tok-123" });
    expect(await status("myservice.example", "GET", "/procs/", { authorization: "Bearer tok-123" })).to.equal(200);
  });

  it("rejects a malformed allowedHosts option with a TypeError", async () => {
    expect(() => createApp({ allowedHosts: ["http://x"] })).to.throw(TypeError, /allowedHosts/);
    await start();
  });
});
