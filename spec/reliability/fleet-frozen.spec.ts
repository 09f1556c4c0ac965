import { expect } from "chai";
import { serveFleet, type ServedApi } from "../../lib";
import { readProcs } from "../../lib/fleet/list";
import { DEADLINE_SLACK_MS } from "../../lib/fleet/protocol";
import { FleetReader } from "../../lib/fleet/reader";
import { InstanceProcess, proclist, startThree } from "../fleet/instances";
import { RedisServer } from "../../samples/redis-server";
import { waitFor } from "../helpers";

/**
 * Redis or an instance frozen (SIGSTOP: connections open, nothing answered) costs each caller its
 * timeout, never the length of the freeze, and a kill that timed out is not carried out later.
 * Each answer is awaited while the freeze lasts: a call that waited for the thaw never returns.
 */
describe("the fleet with Redis or an instance frozen", function () {
  this.timeout(90_000);
  let redis: RedisServer;
  const instances: InstanceProcess[] = [];
  let api: ServedApi | undefined;
  let service: string;
  let seq = 0;

  beforeEach(async () => {
    redis = await RedisServer.start();
    service = `frozen${++seq}`;
    await startThree(redis.url, service, instances);
    const reader = new FleetReader({ redis: redis.url, service });
    await waitFor("every task published", async () => (await readProcs(reader)).length === 6);
    await reader.close();
    api = await serveFleet({ redis: redis.url, service, port: 0, timeoutMs: 1000 });
  });
  afterEach(async () => {
    redis.thaw();
    await Promise.all(instances.splice(0).map((i) => i.kill()));
    await api?.close();
    api = undefined;
    await redis.stop();
  });

  const call = async (path: string, method = "GET") => {
    const res = await fetch(api!.url + path, { method });
    return { status: res.status, body: (await res.json()) as { error?: string } };
  };

  it("every fleet route answers 503 in JSON while Redis is frozen, and the kill is not carried out after the thaw", async () => {
    redis.freeze();
    for (const [path, method] of [
      ["/procs/", "GET"],
      ["/procs/?name=job", "GET"],
      ["/instances", "GET"],
      ["/stats", "GET"],
      ["/procs/finished", "GET"],
      ["/procs/b/b1", "DELETE"],
      ["/procs/b/b1", "GET"],
      ["/procs/?name=job", "DELETE"],
    ]) {
      const answer = await call(path, method);
      expect(answer.status, `${method} ${path}`).to.be.oneOf([503, 504]);
      expect(answer.body.error, `${method} ${path}`).to.be.a("string");
    }
    const cli = await proclist("kill", "a/a1", "--redis", redis.url, "--service", service, "--timeout", "1000");
    expect(cli.code).to.equal(3);
    const ls = await proclist("ls", "--redis", redis.url, "--service", service, "--timeout", "1000");
    expect(ls.code).to.equal(3);
    redis.thaw();
    // Redis answers the backlog of the freeze first: on a loaded machine the first calls after the
    // thaw may still time out, so the fleet is asked until it answers again.
    await waitFor("the fleet answers after the thaw", async () => (await call("/procs/")).status === 200);
    // A later kill on the same channel arrives after any earlier one: once b2 ended, b1 and a1 had their chance.
    await waitFor("b2 killed", async () => {
      if (!instances[1].lines.some((l) => l.ended === "b2"))
        expect((await call("/procs/b/b2", "DELETE")).status).to.be.oneOf([200, 404, 503, 504]);
      return instances[1].lines.some((l) => l.ended === "b2");
    });
    expect(instances[1].lines.filter((l) => "ended" in l).map((l) => l.ended)).to.deep.equal(["b2"]);
    expect(instances[0].lines.filter((l) => "ended" in l)).to.deep.equal([]);
  });

  it("a kill that timed out on a frozen instance is dropped when the instance resumes after its deadline", async () => {
    const b = instances[1];
    b.child.kill("SIGSTOP");
    try {
      const sent = Date.now();
      const answer = await call("/procs/b/b1", "DELETE");
      expect(answer.status).to.equal(504);
      expect(answer.body.error).to.match(/did not answer within 1000 ms/);
      await waitFor("the kill's deadline passed on every clock", () => Date.now() > sent + 1000 + DEADLINE_SLACK_MS + 200);
    } finally {
      b.child.kill("SIGCONT");
    }
    expect((await call("/procs/b/b2", "DELETE")).status).to.equal(200);
    await waitFor("b2 killed", () => b.lines.some((l) => l.ended === "b2"));
    expect(b.lines.filter((l) => "ended" in l).map((l) => l.ended)).to.deep.equal(["b2"]);
  });

  it("proclist ls, kill and stats --redis against a Redis that takes the connection and never answers say so, exit 3, not that it is not connected", async () => {
    redis.freeze();
    for (const args of [["ls"], ["kill", "a/a1"], ["stats"]]) {
      const out = await proclist(...args, "--redis", redis.url, "--service", service, "--timeout", "1000");
      expect(out.code, out.stderr).to.equal(3);
      expect(out.stderr).to.include(`Redis at ${redis.url} is unreachable: connected, but it did not answer within 1000 ms`);
    }
  });
});
