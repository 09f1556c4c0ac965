import { expect } from "chai";
import { Redis } from "ioredis";
import { readProcs } from "../../lib/fleet/list";
import { FleetReader } from "../../lib/fleet/reader";
import { InstanceProcess, proclist } from "../fleet/instances";
import { RedisServer } from "../../samples/redis-server";
import { waitFor } from "../helpers";

describe("the fleet given the URL of a replica of one Redis", function () {
  this.timeout(90_000);
  let master: RedisServer;
  let replica: RedisServer;
  const instances: InstanceProcess[] = [];

  before(async () => {
    master = await RedisServer.start();
    replica = await RedisServer.start();
    const admin = new Redis(replica.url);
    const source = new Redis(master.url);
    try {
      // Synced without files (the servers run in the spec's folder): sent and loaded in memory.
      await source.config("SET", "repl-diskless-sync", "yes", "repl-diskless-sync-delay", "0");
      await admin.config("SET", "repl-diskless-load", "on-empty-db");
      await admin.call("REPLICAOF", "127.0.0.1", new URL(master.url).port);
      await waitFor("the replica in sync", async () => /^master_link_status:up\r?$/m.test(await admin.info("replication")));
    } finally {
      admin.disconnect();
      source.disconnect();
    }
  });
  after(async () => {
    await Promise.all(instances.map((i) => i.kill()));
    await replica.stop();
    await master.stop();
  });

  it("works on its master: an instance joined with it is listed up, and ls, history and kill --redis <replica> see and reach it", async () => {
    const service = "replicated";
    const a = InstanceProcess.start({ REDIS_URL: replica.url, SERVICE: service, INSTANCE: "a", TASKS: "a1,a2" });
    instances.push(a);
    await waitFor("a joined", () => a.said("joined") ?? a.said("error"));
    const reader = new FleetReader({ redis: master.url, service });
    try {
      await waitFor("a's tasks on the master", async () => (await readProcs(reader)).length === 2);
      expect((await reader.instances()).map((i) => [i.instance, i.state])).to.deep.equal([["a", "up"]]);
    } finally {
      await reader.close();
    }
    const ls = await proclist("ls", "--json", "--redis", replica.url, "--service", service);
    expect(ls.code, ls.stderr).to.equal(0);
    const rows = JSON.parse(ls.stdout) as { id: string; instanceState: string }[];
    expect(rows.map((r) => [r.id, r.instanceState])).to.deep.equal([
      ["a/a1", "up"],
      ["a/a2", "up"],
    ]);
    const history = await proclist("history", "a/a2", "--redis", replica.url, "--service", service);
    expect(history.code, history.stderr).to.equal(0);
    const killed = await proclist("kill", "a/a1", "--redis", replica.url, "--service", service);
    expect(killed.code, killed.stderr).to.equal(0);
    await waitFor("a1 ended", () => a.said("ended"));
    expect(a.said("ended")).to.include({ ended: "a1", outcome: "killed" });
  });
});
