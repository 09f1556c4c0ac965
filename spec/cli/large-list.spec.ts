import { expect } from "chai";
import { createServer, type Server } from "node:http";
import { listenOnLoopback } from "../helpers";
import { proclist } from "./fixture";

const T = "2026-11-24T09:00:00.000001Z";

describe("proclist ls of a very long list", function () {
  this.timeout(120_000);
  const count = 150_000;
  let server: Server;
  let endpoint: string;

  before(async () => {
    // More tasks than one call's arguments can carry (a spread of them overflows the stack).
    const procs = Array.from({ length: count }, (_, i) => ({
      id: `t${i}`,
      procTime: T,
      statusTime: T,
      status: "s",
      attrs: {},
      name: "job",
      cancelling: false,
    }));
    const body = JSON.stringify({ procs, serverTime: new Date().toISOString() });
    server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(body));
    endpoint = (await listenOnLoopback(server)).url.replace(/^http:\/\//, "");
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it(`lists all ${count} tasks of one endpoint`, async () => {
    const ls = await proclist(["ls", "--json", "-e", endpoint]);
    expect(ls.code, ls.stderr).to.equal(0);
    expect((JSON.parse(ls.stdout) as unknown[]).length).to.equal(count);
  });
});
