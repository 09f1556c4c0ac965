import { expect } from "chai";
import { Redis } from "ioredis";
import { MAX_LIST_ROWS, MAX_ROW_BYTES } from "../../lib/fleet/bounds";
import { PUBLISH } from "../../lib/fleet/publisher";
import { RedisServer } from "../../samples/redis-server";
import { InstanceProcess } from "../fleet/instances";
import { waitFor } from "../helpers";

describe("what one instance writes to Redis is bounded", function () {
  this.timeout(120_000);
  let redis: RedisServer;
  let admin: Redis;
  const instances: InstanceProcess[] = [];
  const service = "bounded";
  const procs = (name: string) => `{proclist:${service}}:procs:${name}`;

  before(async () => {
    redis = await RedisServer.start();
    admin = new Redis(redis.url);
  });
  after(async () => {
    await Promise.all(instances.map((i) => i.kill()));
    admin?.disconnect();
    await redis?.stop();
  });

  it(`an instance with more live tasks than ${MAX_LIST_ROWS} lists its oldest ${MAX_LIST_ROWS} in Redis, and no more as it starts others`, async () => {
    const many = InstanceProcess.start({
      REDIS_URL: redis.url,
      SERVICE: service,
      INSTANCE: "many",
      TASKS: "first",
      BULK: String(MAX_LIST_ROWS + 100),
    });
    instances.push(many);
    await waitFor("its list published", async () => (await admin.hlen(procs("many"))) >= MAX_LIST_ROWS, 60_000);
    // Its tasks no longer change: the next publishing pass on its list is the one that sees "late".
    const monitor = await admin.monitor();
    let passes = 0;
    monitor.on("monitor", (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === "eval" && args[2] === "2" && args[3] === procs("many")) passes++;
    });
    many.send("start late");
    await waitFor("a pass after it", () => passes > 0, 30_000);
    monitor.disconnect();
    expect(await admin.hlen(procs("many"))).to.equal(MAX_LIST_ROWS);
    expect(await admin.hexists(procs("many"), "first")).to.equal(1);
    expect(await admin.hexists(procs("many"), "late")).to.equal(0);
  });

  it(`a task whose JSON passes ${MAX_ROW_BYTES >> 10} KiB is left out of the list; the others are listed`, async () => {
    const wide = InstanceProcess.start({ REDIS_URL: redis.url, SERVICE: service, INSTANCE: "wide", TASKS: "small" });
    instances.push(wide);
    await waitFor("joined", () => wide.said("joined"));
    wide.send("wide huge 20"); // 20 attributes of 1,000 characters: ~20 KB of JSON
    wide.send("start after");
    await waitFor("after listed", async () => (await admin.hexists(procs("wide"), "after")) === 1);
    expect(await admin.hexists(procs("wide"), "small")).to.equal(1);
    expect(await admin.hexists(procs("wide"), "huge")).to.equal(0);
  });

  it("the publishing script refuses, inside Redis, a row too long and a row past the list's bound, whatever its caller sends", async () => {
    const key = procs("raw");
    const fields: string[] = [];
    for (let i = 0; i < MAX_LIST_ROWS; i++) fields.push(`t${i}`, "{}");
    await admin.eval(PUBLISH, 2, key, key, "", "1", 60_000, fields.length, ...fields);
    expect(await admin.hlen(key)).to.equal(MAX_LIST_ROWS);
    const more = ["extra", "{}", "t0", "x".repeat(MAX_ROW_BYTES + 1), "t1", '{"changed":true}'];
    await admin.eval(PUBLISH, 2, key, key, "", "0", 60_000, more.length, ...more);
    expect(await admin.hlen(key)).to.equal(MAX_LIST_ROWS);
    expect(await admin.hexists(key, "extra")).to.equal(0);
    expect(await admin.hget(key, "t0")).to.equal("{}"); // the long value was not written
    expect(await admin.hget(key, "t1")).to.equal('{"changed":true}'); // a known field is still updated
    // An ended task frees its row for a new one.
    await admin.eval(PUBLISH, 2, key, key, "", "0", 60_000, 2, "extra", "{}", "t2");
    expect(await admin.hexists(key, "extra")).to.equal(1);
    expect(await admin.hexists(key, "t2")).to.equal(0);
  });
});
