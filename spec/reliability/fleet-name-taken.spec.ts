import { expect } from "chai";
import { Redis } from "ioredis";
import { serveFleet, type ServedApi } from "../../lib";
import { InstanceProcess } from "../fleet/instances";
import { RedisServer } from "../../samples/redis-server";
import { waitFor } from "../helpers";

describe("a process that lost its instance name", function () {
  this.timeout(90_000);
  let redis: RedisServer;
  let raw: Redis;
  let api: ServedApi | undefined;
  const started: InstanceProcess[] = [];

  before(async () => {
    redis = await RedisServer.start();
    raw = new Redis(redis.url);
  });
  after(async () => {
    await Promise.all(started.map((i) => (i.child.kill("SIGCONT"), i.kill())));
    await api?.close();
    raw.disconnect();
    await redis.stop();
  });

  it("stops listening and publishing at once, says so through onError, and never takes the new holder's kills", async () => {
    const service = "taken";
    const env = { REDIS_URL: redis.url, SERVICE: service, INSTANCE: "w1", TTL_MS: "1500", HEARTBEAT_MS: "500" };
    const a = InstanceProcess.start({ ...env, TASKS: "t1:old" });
    started.push(a);
    await waitFor("A joined", () => a.said("joined"));
    a.child.kill("SIGSTOP");
    await waitFor("A's key expired", async () => (await raw.exists(`{proclist:${service}}:instance:w1`)) === 0);
    // B's TTL is long: on a loaded machine its key must not expire and give the name back to A.
    const b = InstanceProcess.start({ ...env, TTL_MS: "15000", HEARTBEAT_MS: "1000", TASKS: "t1:new,t2:new" });
    started.push(b);
    await waitFor("B joined as w1", () => b.said("joined"));
    api = await serveFleet({ redis: redis.url, service, port: 0 });
    a.child.kill("SIGCONT");
    // A starts a task as it resumes: its list must not land in B's.
    a.send("start t9 old");
    const res = await fetch(`${api.url}/procs/w1/t1`, { method: "DELETE" });
    expect(res.status).to.equal(200);
    await waitFor("B's t1 killed", () => b.lines.some((l) => l.ended === "t1"));
    await waitFor("A said it lost its name", () => a.said("lostName"));
    expect(String(a.said("lostName")!.lostName)).to.match(/"w1" is already used/);
    await waitFor("A started t9", () => a.said("started"));
    // A kill sent after A heard of its loss reaches B only: A is no longer subscribed.
    // A's unsubscribe is sent as it hears of its loss: once Redis applied it, only B listens.
    await waitFor(
      "B alone subscribed to w1's control channel",
      async () => ((await raw.pubsub("NUMSUB", `{proclist:${service}}:control:w1`)) as [string, number])[1] === 1,
    );
    expect(a.lines.filter((l) => "ended" in l)).to.deep.equal([]);
    // B publishes its list by difference: once t1's end is in it, the list is B's alone, without A's t9.
    const list = await waitFor("B's list without t1", async () => {
      const fields = await raw.hgetall(`{proclist:${service}}:procs:w1`);
      return "t2" in fields && !("t1" in fields) ? fields : undefined;
    });
    expect(Object.keys(list).sort()).to.deep.equal(["t2"]);
    expect(JSON.parse(list.t2).name).to.equal("new");
    expect(a.child.exitCode).to.equal(null);
  });
});
