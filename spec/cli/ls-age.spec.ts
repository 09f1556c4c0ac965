import { expect } from "chai";
import { createServer, type Server } from "node:http";
import { listenOnLoopback } from "../helpers";
import { proclist } from "./fixture";

/** A proclist API whose tasks started the given number of seconds before its serverTime. */
async function serverWith(ages: Record<string, number>): Promise<{ server: Server; endpoint: string }> {
  const server = createServer((_req, res) => {
    const now = Date.now();
    const procs = Object.entries(ages).map(([id, seconds]) => {
      const at = new Date(now - seconds * 1000).toISOString();
      return { id, procTime: at, statusTime: at, status: "s", attrs: {}, name: "job", cancelling: false };
    });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ procs, serverTime: new Date(now).toISOString() }));
  });
  return { server, endpoint: (await listenOnLoopback(server)).url.replace(/^http:\/\//, "") };
}

describe("proclist ls --older-than", function () {
  this.timeout(60_000);
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("lists only the tasks running for at least the age given, in every unit, oldest first", async () => {
    let endpoint: string;
    ({ server, endpoint } = await serverWith({ fresh: 1, minute: 60, hour: 3600, day: 86_400 }));
    const ids = async (age: string) => {
      const ls = await proclist(["ls", "--json", "-e", endpoint, "--older-than", age]);
      expect(ls.code, ls.stderr).to.equal(0);
      return (JSON.parse(ls.stdout) as { id: string }[]).map((p) => p.id);
    };
    expect(await ids("30s")).to.deep.equal(["day", "hour", "minute"]);
    expect(await ids("2m")).to.deep.equal(["day", "hour"]);
    expect(await ids("1.5h")).to.deep.equal(["day"]);
    expect(await ids("0")).to.deep.equal(["day", "hour", "minute", "fresh"]);
    expect(await ids("500ms")).to.deep.equal(["day", "hour", "minute", "fresh"]);
    const table = await proclist(["ls", "-e", endpoint, "--older-than", "2m"]);
    expect(table.stdout).to.contain("day").and.to.contain("hour").and.not.to.contain("minute");
  });

  it("says how many tasks run there when none is that old, instead of a bare 'no live tasks'", async () => {
    let endpoint: string;
    ({ server, endpoint } = await serverWith({ a: 1, b: 2 }));
    const ls = await proclist(["ls", "-e", endpoint, "--older-than", "10m"]);
    expect(ls.code).to.equal(0);
    expect(ls.stdout).to.equal("");
    expect(ls.stderr).to.contain("no live tasks that old on").and.to.contain("(2 running for less than 10m00s)");
  });

  it("refuses an age without a unit, or not a duration, as a usage error naming the value", async () => {
    for (const [age, said] of [
      ["30", "give --older-than a unit: 30s or 30ms"],
      ["soon", 'expected an age such as 2s, 500ms or 0 (in whole ms), got "soon"'],
      ["-5s", 'got "-5s"'],
    ]) {
      const ls = await proclist(["ls", "-e", "127.0.0.1:9", "--older-than", age]);
      expect(ls.code, age).to.not.equal(0);
      expect(ls.stderr, age).to.contain(said);
    }
  });
});
