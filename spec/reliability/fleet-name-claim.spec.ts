import { expect } from "chai";
import { Redis } from "ioredis";
import { DuplicateInstanceError, joinFleet, ProcessManager, type FleetMembership } from "../../lib";
import { FleetKeys } from "../../lib/fleet/keys";
import { TaskPublisher } from "../../lib/fleet/publisher";
import { openRedis } from "../../lib/fleet/redis";
import { RedisServer } from "../../samples/redis-server";

describe("claiming an instance name", function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let raw: Redis;
  before(async () => {
    redis = await RedisServer.start();
    raw = new Redis(redis.url);
  });
  after(async () => {
    raw.disconnect();
    await redis.stop();
  });

  it("lets exactly one of several processes claiming one name at once win; every other is told with DuplicateInstanceError", async () => {
    const managers = Array.from({ length: 6 }, (_, i) => {
      const manager = new ProcessManager();
      manager.start(`t${i}`);
      return manager;
    });
    const claims = await Promise.allSettled(
      managers.map((manager) => joinFleet({ redis: redis.url, service: "claimed", instance: "w1", manager, publishMs: 20 })),
    );
    const won = claims.filter((c): c is PromiseFulfilledResult<FleetMembership> => c.status === "fulfilled");
    const lost = claims.filter((c): c is PromiseRejectedResult => c.status === "rejected");
    try {
      expect(won).to.have.length(1);
      expect(lost).to.have.length(5);
      for (const { reason } of lost) expect(reason).to.be.instanceOf(DuplicateInstanceError);
      const winner = claims.findIndex((c) => c.status === "fulfilled");
      const record = JSON.parse((await raw.get("{proclist:claimed}:instance:w1"))!) as { boot: string };
      expect(record.boot).to.equal(won[0].value.boot);
      // Only the winner's tasks are under the name.
      const fields = await raw.hkeys("{proclist:claimed}:procs:w1");
      expect(fields.every((f) => f === `t${winner}`)).to.equal(true);
    } finally {
      await Promise.all(won.map((w) => w.value.leave()));
    }
  });

  it("a pass of the task list checks the name and writes in one step: while another process holds it, nothing is written and the loser is told", async () => {
    const keys = new FleetKeys("proclist:", "held");
    await raw.set(keys.instance("w1"), JSON.stringify({ instance: "w1", pid: 1, host: "elsewhere", beatAt: Date.now(), nonce: "theirs" }));
    await raw.hset(keys.procs("w1"), "9", "their task");
    const manager = new ProcessManager();
    manager.start("mine");
    const command = openRedis(redis.url, keys.instances, "spec", () => undefined);
    const holders: string[] = [];
    try {
      const publisher = new TaskPublisher(command, manager, keys.procs("w1"), "w1", 15_000, {
        key: keys.instance("w1"),
        nonce: "mine",
        lost: (holder) => holders.push(holder),
      });
      await command.whenReady(10_000);
      await publisher.publish();
      expect(await raw.hgetall(keys.procs("w1"))).to.deep.equal({ 9: "their task" });
      expect(holders).to.have.length(1);
      expect(holders[0]).to.include('"nonce":"theirs"');
      // The name free again (the other's key expired): the list is written whole.
      await raw.del(keys.instance("w1"));
      await publisher.publish();
      expect(Object.keys(await raw.hgetall(keys.procs("w1")))).to.deep.equal(["mine"]);
    } finally {
      await command.close();
    }
  });
});
