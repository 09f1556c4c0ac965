import { expect } from "chai";
import { Redis } from "ioredis";
import { serveFleet, type ServedApi } from "../../lib";
import { RedisServer } from "../../samples/redis-server";
import { FleetReader } from "../../lib/fleet/reader";
import { waitFor } from "../helpers";
import { InstanceProcess, proclist } from "./instances";

/** Redis's per-command call counts since the last CONFIG RESETSTAT (`INFO commandstats`). */
async function calls(redis: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [, name, count] of (await redis.info("commandstats")).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[name] = Number(count);
  return out;
}

/** Bytes Redis has sent to its clients so far (`INFO stats`). */
async function bytesSent(redis: Redis): Promise<number> {
  return Number(/total_net_output_bytes:(\d+)/.exec(await redis.info("stats"))?.[1]);
}

/**
 * The commands that read a task hash whole or in pages (the selection inside Redis pages with
 * HSCAN too, and counts as such; the instances' own scripts, EVAL, only write).
 */
const LIST_READS = ["hvals", "hgetall", "hscan", "hkeys", "hget", "hmget"];

describe("filtered fleet reads select at the source", function () {
  this.timeout(90_000);
  let redis: RedisServer;
  let admin: Redis;
  let api: ServedApi;
  const instances: InstanceProcess[] = [];
  const service = "filtered";

  before(async () => {
    redis = await RedisServer.start();
    admin = new Redis(redis.url);
    // a and b hold 2,000 other tasks each: reading their lists whole would move ~1 MB.
    for (const [name, tasks] of [
      ["a", "a1:alpha,a2:beta,a3:beta"],
      ["b", "b1:alpha,b2:beta"],
      ["c", "c1:gamma"],
    ])
      instances.push(InstanceProcess.start({ REDIS_URL: redis.url, SERVICE: service, INSTANCE: name, TASKS: tasks, BULK: "2000" }));
    await waitFor("every instance joined", () => instances.every((i) => i.said("joined")), 30_000);
    await waitFor("every list published", async () => {
      const lengths = await Promise.all(["a", "b", "c"].map((name) => admin.hlen(`{proclist:${service}}:procs:${name}`)));
      return lengths.join() === "2003,2002,2001";
    });
    // A loaded machine may take seconds to answer: no instance may be taken for silent here.
    api = await serveFleet({ redis: redis.url, service, port: 0, timeoutMs: 30_000 });
  });
  after(async () => {
    await api?.close();
    for (const instance of instances) instance.child.kill("SIGCONT");
    await Promise.all(instances.map((i) => i.kill()));
    admin?.disconnect();
    await redis?.stop();
  });

  const ids = async (query: string): Promise<string[]> => {
    const res = await fetch(`${api.url}/procs/?${query}`);
    expect(res.status).to.equal(200);
    return ((await res.json()) as { procs: { id: string }[] }).procs.map((p) => p.id);
  };

  it("GET /procs/ with filters, sort and limit answers exactly the matches, and no task list is read from Redis", async () => {
    await ids("name=alpha"); // the aggregator's connections are made before the count starts
    await admin.config("RESETSTAT");
    const before = await bytesSent(admin);
    expect((await ids("name=alpha")).sort()).to.deep.equal(["a/a1", "b/b1"]);
    expect(await ids("name=beta&attr.n=a3")).to.deep.equal(["a/a3"]);
    expect(await ids("name=beta&attr.len=2&sort=-id&limit=2")).to.deep.equal(["b/b2", "a/a3"]);
    expect((await ids("status=waiting&name=gamma&name=alpha")).sort()).to.deep.equal(["a/a1", "b/b1", "c/c1"]);
    expect(await ids("name=nothing")).to.deep.equal([]);
    const sent = (await bytesSent(admin)) - before;
    const stats = await calls(admin);
    for (const command of LIST_READS) expect(stats[command] ?? 0, command).to.equal(0);
    // Five reads of 3 instances: the registry, the requests and the matches only (the lists are ~1.5 MB).
    expect(sent).to.be.below(100_000);
  });

  it("proclist ls --redis with a filter lists exactly the matches, asked of the instances", async () => {
    await admin.config("RESETSTAT");
    const json = await proclist(
      "ls",
      "--redis",
      redis.url,
      "--service",
      service,
      "--name",
      "beta",
      "--attr",
      "len=2",
      "--json",
      "--timeout",
      "30000",
    );
    expect(json.code, json.stderr).to.equal(0);
    const rows = JSON.parse(json.stdout) as { id: string; instanceState: string }[];
    expect(rows.map((r) => r.id).sort()).to.deep.equal(["a/a2", "a/a3", "b/b2"]);
    for (const row of rows) expect(row.instanceState).to.equal("up");
    const stats = await calls(admin);
    for (const command of LIST_READS) expect(stats[command] ?? 0, command).to.equal(0);
  });

  it("the whole list is read in pages (HSCAN), never with HVALS", async () => {
    await admin.config("RESETSTAT");
    const res = await fetch(`${api.url}/procs/`);
    const body = (await res.json()) as { procs: { id: string }[] };
    expect(body.procs).to.have.length(6006);
    expect(new Set(body.procs.map((p) => p.id)).size).to.equal(6006);
    const stats = await calls(admin);
    expect(stats.hvals ?? 0).to.equal(0);
    expect(stats.hscan).to.be.at.least(3);
  });

  it("an instance that does not answer (silent, or no longer listening) has its matching rows selected in Redis, marked gone", async () => {
    const [, b, c] = instances;
    c.child.kill("SIGSTOP"); // subscribed still, answers nothing: the aggregator waits its timeout
    b.child.kill("SIGKILL"); // its connections close: nobody listens on its channel any more
    await b.exited;
    // An aggregator that waits 1 s for an answer: c's silence costs that.
    const impatient = await serveFleet({ redis: redis.url, service, port: 0, timeoutMs: 1_000 });
    await admin.config("RESETSTAT");
    const res = await fetch(`${impatient.url}/procs/?name=alpha&name=gamma`);
    await impatient.close();
    const procs = ((await res.json()) as { procs: { id: string; gone?: string }[] }).procs;
    expect(procs.map((p) => p.id).sort()).to.deep.equal(["a/a1", "b/b1", "c/c1"]);
    // (a answers, unless a loaded machine keeps it past the second: then it is read as b and c are.)
    for (const proc of procs.filter((p) => p.id !== "a/a1")) expect(proc.gone, proc.id).to.be.a("string");
    const stats = await calls(admin);
    expect(stats.hvals ?? 0).to.equal(0);
    // One selection (2,001 rows: two HSCAN pages at least) per instance that did not answer, none for a.
    expect(stats.hscan).to.be.at.least(4);

    const table = await proclist("ls", "--redis", redis.url, "--service", service, "--name", "alpha", "--timeout", "1000");
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout.split("\n").filter((l) => l.startsWith("b (gone)"))).to.have.length(1);
    c.child.kill("SIGCONT");
  });

  it("the selection inside Redis returns a superset of the matches, a number attribute matched as text, and no more of a large list", async () => {
    const reader = new FleetReader({ redis: redis.url, service });
    try {
      const ids = async (query: Record<string, string | string[]>) => {
        const values = await reader.storedMatches("a", query);
        if (typeof values === "string") throw new Error(values);
        return values.map((v) => (JSON.parse(v.toString()) as { id: string }).id).sort();
      };
      expect(await ids({ "attr.len": "2" })).to.deep.equal(["a/a1", "a/a2", "a/a3"]);
      expect(await ids({ "attr.n": ["a1", "a3"] })).to.deep.equal(["a/a1", "a/a3"]);
      expect(await ids({ name: "beta", status: "waiting" })).to.deep.equal(["a/a2", "a/a3"]);
      expect(await ids({ name: "alpha", "attr.n": "a2" })).to.deep.equal([]);
      expect(await ids({ "attr.missing": "x" })).to.deep.equal([]);
    } finally {
      await reader.close();
    }
  });
});
