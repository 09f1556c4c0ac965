import { expect } from "chai";
import { networkInterfaces } from "node:os";
import { call, EVERY_ROUTE, startApi } from "../http/http-helpers";
import type { ProcessManager, ServedApi } from "../../lib";

/** An address of this machine that is not loopback, for a real remote peer; undefined if it has none. */
function outsideAddress(): string | undefined {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (!entry.internal && entry.family === "IPv4") return entry.address;
  }
  return undefined;
}

describe("protected mode refuses every API request from a remote peer while no token is set", () => {
  let api: (ServedApi & { manager: ProcessManager }) | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it("answers a real non-loopback peer 403 on every route, saying how to allow it, and changes nothing", async function () {
    const address = outsideAddress();
    if (address === undefined) return this.skip();
    api = await startApi({ host: "0.0.0.0" });
    api.manager.start("t");
    const remote = { url: `http://${address}:${api.port}` };
    for (const [method, path] of EVERY_ROUTE) {
      const answer = await call(remote, method, path);
      expect(answer.status, `${method} ${path}`).to.equal(403);
      if (method === "HEAD") continue;
      expect(answer.headers["content-type"]).to.equal("application/json");
      expect(answer.json.error, `${method} ${path}`).to.equal(
        `protected mode: ${method} from ${address} refused because no token is set and the peer is not on loopback; ` +
          "set a token (the token option or PROCLIST_TOKEN) to allow remote access, or pass protectedMode: false",
      );
    }
    expect(api.manager.get("t")!.cancelling).to.equal(false);
    // The same server still answers its loopback peers.
    expect((await call(api, "GET", "/procs/")).status).to.equal(200);
  });

  it("lets the remote peer in with a token, or with protectedMode: false", async () => {
    api = await startApi({ peer: () => "10.1.2.3", token: "tok-1" });
    expect((await call(api, "GET", "/procs/", { headers: { authorization: "Bearer tok-1" } })).status).to.equal(200);
    await api.close();
    api = await startApi({ peer: () => "10.1.2.3", protectedMode: false });
    expect((await call(api, "GET", "/procs/")).status).to.equal(200);
    expect((await call(api, "GET", "/stats")).status).to.equal(200);
  });
});
