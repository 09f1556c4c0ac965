import { expect } from "chai";
import { DuplicateInstanceError, joinFleet, ProcessManager, type FleetMembership } from "../../lib";
import { FleetKeys } from "../../lib/fleet/keys";
import { readProcs } from "../../lib/fleet/list";
import { FleetReader } from "../../lib/fleet/reader";
import { openRedis } from "../../lib/fleet/redis";
import { Registration } from "../../lib/fleet/registry";
import { waitFor } from "../helpers";
import { InstanceProcess, stoppedAfterEach } from "./instances";
import { onEachRedis } from "./redis-backends";

onEachRedis("taking over the name of a dead instance", (backend) => {
  const { instances, readers } = stoppedAfterEach();
  let serviceSeq = 0;

  /** An instance process "w1" of a fresh service with a 10-minute TTL (a join waiting for it would be refused), joined, and a reader. */
  async function holder(tasks: string, extra: { HEARTBEAT_MS?: string } = {}) {
    const service = `take${++serviceSeq}`;
    const first = InstanceProcess.start({
      REDIS_URL: backend().url,
      SERVICE: service,
      INSTANCE: "w1",
      TASKS: tasks,
      TTL_MS: "600000",
      ...extra,
    });
    instances.push(first);
    await waitFor("w1 joined", () => first.said("joined") ?? first.said("error"));
    expect(first.said("error")).to.equal(undefined);
    const reader = new FleetReader({ redis: backend().urls, service });
    readers.push(reader);
    const rows = await waitFor("its list", async () => {
      const procs = await readProcs(reader);
      return procs.length === tasks.split(",").length ? procs : undefined;
    });
    return { service, first, reader, boot: rows[0].boot! };
  }

  const stateOf = async (reader: FleetReader) => (await reader.instances()).find((i) => i.instance === "w1");

  it("a process restarted under the name of a SIGKILLed one joins while the dead one's record has long to live, listed up with its new boot; the dead one's rows are gone", async () => {
    const { service, first, reader, boot: oldBoot } = await holder("t1:old,t2:old");
    await first.kill("SIGKILL");
    await waitFor("w1 gone by its dropped connection", async () => (await stateOf(reader))?.state === "gone");
    const ttl = await reader.command.pttl(reader.keys.instance("w1"));
    expect(ttl).to.be.above(300_000);
    const expiresAt = Date.now() + ttl;

    const second = InstanceProcess.start({ REDIS_URL: backend().url, SERVICE: service, INSTANCE: "w1", TASKS: "n1:new", TTL_MS: "600000" });
    instances.push(second);
    await waitFor("the restarted w1 joined or was refused", () => second.said("joined") ?? second.said("error"));
    expect(second.said("error")).to.equal(undefined);
    expect(Date.now()).to.be.below(expiresAt);

    const rows = await waitFor("the new list alone", async () => {
      const procs = await readProcs(reader);
      return procs.length === 1 && procs[0].name === "new" ? procs : undefined;
    });
    expect(rows[0]).to.include({ id: "w1/n1" }).and.not.have.property("gone");
    const newBoot = rows[0].boot!;
    expect(newBoot).to.be.a("string").and.not.equal(oldBoot);
    const state = await stateOf(reader);
    expect(state).to.include({ state: "up", boot: newBoot });
    expect(await reader.command.hkeys(reader.keys.procs("w1"))).to.deep.equal(["n1"]);
    expect(second.said("lostName")).to.equal(undefined);
  });

  it("a live holder, or one only frozen (SIGSTOP), is never taken over: the newcomer is refused and the holder keeps its name", async () => {
    const { service, first, reader, boot } = await holder("t1", { HEARTBEAT_MS: "300" });
    const twin = () => {
      const started = InstanceProcess.start({ REDIS_URL: backend().url, SERVICE: service, INSTANCE: "w1", TTL_MS: "600000" });
      instances.push(started);
      return started;
    };
    const live = twin();
    expect(await waitFor("the twin refused", () => live.said("error") ?? live.said("joined"))).to.include({
      name: "DuplicateInstanceError",
    });

    first.child.kill("SIGSTOP");
    try {
      const frozen = twin();
      expect(await waitFor("the twin of a frozen one refused", () => frozen.said("error") ?? frozen.said("joined"))).to.include({
        name: "DuplicateInstanceError",
      });
    } finally {
      first.child.kill("SIGCONT");
    }
    // Awake, it heartbeats again under its name, and was never told it lost it.
    const woke = Date.now();
    await waitFor("a heartbeat after waking", async () => {
      const record = JSON.parse((await reader.command.get(reader.keys.instance("w1"))) ?? "{}") as { beatAt?: number; boot?: string };
      return record.boot === boot && record.beatAt! > woke;
    });
    expect(await stateOf(reader)).to.include({ state: "up", boot });
    expect(first.said("lostName")).to.equal(undefined);
  });

  it("of processes racing for one dead name, exactly one wins; the others are refused with DuplicateInstanceError", async () => {
    const { service, first, reader } = await holder("old");
    await first.kill("SIGKILL");
    await waitFor("w1 gone", async () => (await stateOf(reader))?.state === "gone");
    const managers = Array.from({ length: 4 }, (_, i) => {
      const manager = new ProcessManager();
      manager.start(`r${i}`);
      return manager;
    });
    const claims = await Promise.allSettled(
      managers.map((manager) => joinFleet({ redis: backend().url, service, instance: "w1", manager, ttlMs: 60_000, publishMs: 20 })),
    );
    const won = claims.filter((c): c is PromiseFulfilledResult<FleetMembership> => c.status === "fulfilled");
    try {
      expect(won).to.have.length(1);
      for (const claim of claims) if (claim.status === "rejected") expect(claim.reason).to.be.instanceOf(DuplicateInstanceError);
      const winner = claims.findIndex((c) => c.status === "fulfilled");
      await waitFor("the winner's list", async () => {
        const procs = await readProcs(reader);
        return procs.length === 1 && procs[0].id === `w1/r${winner}` && procs[0].boot === won[0].value.boot;
      });
      expect(await stateOf(reader)).to.include({ state: "up", boot: won[0].value.boot });
    } finally {
      await Promise.all(won.map((w) => w.value.leave()));
    }
  });

  it("takes a name only from a record that says its holder listens on its alive channel, nobody listening there at both checks, the record unchanged between them", async () => {
    const keys = new FleetKeys("proclist:", `take${++serviceSeq}`);
    const connection = openRedis(backend().url, keys.instances, "spec-joiner", () => undefined);
    const holderBus = openRedis(backend().url, keys.instances, "spec-holder", () => undefined);
    const nonce = "0123456789abcdef";
    const record = (extra: object = {}) =>
      JSON.stringify({ instance: "w1", host: "elsewhere", pid: 1, beatAt: Date.now(), nonce, boot: "dead", aliveChannel: true, ...extra });
    const registration = new Registration(connection, keys, "w1", 60_000, "mine");
    const put = async (text: string) => {
      await connection.command.set(keys.instance("w1"), text, "PX", 60_000);
      await connection.command.hset(keys.procs("w1"), "9", "their task");
      return text;
    };
    try {
      expect(await connection.whenReady(10_000)).to.equal(true);
      expect(await holderBus.whenReady(10_000)).to.equal(true);
      let confirmed = 0;
      const confirm = async () => void confirmed++;

      // Records that do not say their holder listens on its alive channel: an older proclist's, or malformed ones.
      for (const text of [record({ aliveChannel: undefined }), record({ nonce: "not hex" }), "not json", "null"])
        expect(await registration.takeOver(await put(text), 0, confirm), text).to.be.instanceOf(DuplicateInstanceError);
      expect(confirmed).to.equal(0);

      // Its subscriber is back before the second check (it was reconnecting): refused, nothing written.
      let held = await put(record());
      const refused = await registration.takeOver(held, 0, () => holderBus.bus.subscribe([keys.alive(nonce)]));
      expect(refused).to.be.instanceOf(DuplicateInstanceError);
      expect(await connection.command.get(keys.instance("w1"))).to.equal(held);
      // Listening at the first check: refused at once.
      expect(await registration.takeOver(held, 0, confirm)).to.be.instanceOf(DuplicateInstanceError);
      expect(confirmed).to.equal(0);
      holderBus.bus.unsubscribe([keys.alive(nonce)]);
      await waitFor("the holder's channel empty", async () => (await connection.bus.heard(keys.alive(nonce))) === 0);

      // A heartbeat between the checks (the record changed): refused.
      held = await put(record());
      const beaten = await registration.takeOver(held, 0, () => put(record({ beatAt: Date.now() + 1 })));
      expect(beaten).to.be.instanceOf(DuplicateInstanceError);
      expect(await connection.command.get(keys.instance("w1"))).to.not.include('"boot":"mine"');

      // Nobody at either check, the record as seen: the name is this one's, the dead one's list gone.
      held = await put(record());
      expect(await registration.takeOver(held, 0, confirm)).to.equal("created");
      expect(confirmed).to.equal(1);
      expect(await connection.command.get(keys.instance("w1"))).to.include('"boot":"mine"');
      expect(await connection.command.exists(keys.procs("w1"))).to.equal(0);
    } finally {
      await connection.close();
      await holderBus.close();
    }
  });
});
