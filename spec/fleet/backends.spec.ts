import { expect } from "chai";
import { Cluster, Redis } from "ioredis";
import { joinFleet, ProcessManager, serveFleet } from "../../lib";
import { fleetEvents } from "../../lib/fleet/events";
import { readProcs } from "../../lib/fleet/list";
import { FleetReader } from "../../lib/fleet/reader";
import { releaseAll, waitFor } from "../helpers";
import { call } from "../http/http-helpers";
import { readmeBlocks } from "../readme-blocks";
import { proclist as run } from "../cli/fixture";
import { CLI_BY, InstanceProcess, proclist, startThree, stoppedAfterEach } from "./instances";
import { onEachRedis } from "./redis-backends";

onEachRedis("the fleet", (backend, kind) => {
  const { instances, readers } = stoppedAfterEach();
  let serviceSeq = 0;

  /** Three instance processes of a fresh service joined with one node's URL, and a reader given every node's URL. */
  async function fleet(extra: { TTL_MS?: string; HEARTBEAT_MS?: string } = {}): Promise<{ service: string; reader: FleetReader }> {
    const service = `svc${++serviceSeq}`;
    const started = await startThree(backend().url, service, instances, extra);
    expect(started.map((i) => i.said("error"))).to.deep.equal([undefined, undefined, undefined]);
    const reader = new FleetReader({ redis: backend().urls, service });
    readers.push(reader);
    await waitFor("every task published", async () => (await readProcs(reader)).length === 6);
    return { service, reader };
  }

  it("joins with the URL of one node, lists every instance's tasks, and proclist ls --redis <one node> finds them", async () => {
    const { service, reader } = await fleet();
    expect((await readProcs(reader)).map((p) => p.id).sort()).to.deep.equal(["a/a1", "a/a2", "b/b1", "b/b2", "b/forbid-b", "c/c1"]);
    expect((await reader.instances()).map((i) => [i.instance, i.state])).to.deep.equal([
      ["a", "up"],
      ["b", "up"],
      ["c", "up"],
    ]);
    // Any node will do: the last one is a replica on a fresh cluster.
    const json = await proclist("ls", "--json", "--redis", backend().urls.at(-1)!, "--service", service);
    expect(json.code, json.stderr).to.equal(0);
    expect((JSON.parse(json.stdout) as { id: string }[]).map((r) => r.id).sort()).to.deep.equal([
      "a/a1",
      "a/a2",
      "b/b1",
      "b/b2",
      "b/forbid-b",
      "c/c1",
    ]);
    // Without --service: the services in Redis (on every master of a cluster) are named.
    const none = await proclist("ls", "--redis", backend().url);
    expect(none.code).to.equal(3);
    expect(none.stderr).to.match(new RegExp(`no instance of service "default" in Redis; services found: .*\\b${service}\\b`));
  });

  it("proclist kill <instance>/<id> --redis ends the task on its instance, once", async () => {
    const { service, reader } = await fleet();
    const killed = await proclist("kill", "c/c1", "-m", "stuck", "--redis", backend().url, "--service", service);
    expect(killed.code, killed.stderr).to.equal(0);
    expect(await waitFor("c1 ended", () => instances[2].said("ended"))).to.deep.equal({
      ended: "c1",
      outcome: "killed",
      killedBy: CLI_BY,
    });
    await waitFor("the list updated", async () => !(await readProcs(reader)).some((p) => p.id === "c/c1"));
    const again = await proclist("kill", "c/c1", "--redis", backend().url, "--service", service);
    expect(again.code, again.stderr).to.equal(6);
    expect(again.stderr).to.include("already ended");
    expect(instances[2].lines.filter((l) => "ended" in l)).to.have.length(1);
  });

  it("proclist history <instance>/<id> --redis shows the task's timeline from its instance", async () => {
    const { service } = await fleet();
    const shown = await proclist("history", "a/a2", "--json", "--redis", backend().url, "--service", service);
    expect(shown.code, shown.stderr).to.equal(0);
    const out = JSON.parse(shown.stdout) as { id: string; history: { status: string }[] };
    expect(out.id).to.equal("a/a2");
    expect(out.history.map((e) => e.status)).to.deep.equal(["init", "waiting"]);
  });

  it("proclist kill --all --redis with a filter ends the matching tasks on every instance", async () => {
    const { service, reader } = await fleet();
    const killed = await proclist("kill", "--all", "--attr", "len=2", "--redis", backend().url, "--service", service);
    expect(killed.code, killed.stderr).to.equal(0);
    expect(killed.stdout).to.match(new RegExp(`^cancel requested: 5 tasks on service ${service} \\(`));
    await waitFor("only the forbidden task left", async () => (await readProcs(reader)).map((p) => p.id).join() === "b/forbid-b");
  });

  it("relays every instance's events to a reader", async () => {
    const { reader } = await fleet();
    const seen: string[] = [];
    const stop = fleetEvents(reader, () => undefined).subscribe((event) => seen.push(event.id));
    try {
      let n = 0;
      await waitFor("an event of b", () => {
        instances[1].send(`start e${++n}`);
        return seen.some((id) => id.startsWith("b/e"));
      });
    } finally {
      stop();
    }
  });

  it("shows a killed instance gone within its TTL, its kill refused as gone", async () => {
    const { service, reader } = await fleet({ TTL_MS: "1500", HEARTBEAT_MS: "300" });
    await instances[2].kill("SIGKILL");
    await waitFor("c gone", async () => (await reader.instances()).find((i) => i.instance === "c")?.state === "gone");
    const gone = await proclist("kill", "c/c1", "--redis", backend().url, "--service", service);
    expect(gone.code).to.equal(3);
    expect(gone.stderr).to.include("is gone since");
  });

  if (kind === "a Redis Cluster")
    it("goes on through a primary failover during a run of kills: every kill answered once, none lost or doubled, and the events relayed again", async () => {
      const service = `svc${++serviceSeq}`;
      const ids = Array.from({ length: 60 }, (_, i) => `k${i}`);
      const worker = InstanceProcess.start({ REDIS_URL: backend().url, SERVICE: service, INSTANCE: "w", TASKS: ids.join(",") });
      instances.push(worker);
      await waitFor("w joined", () => worker.said("joined") ?? worker.said("error"));
      const reader = new FleetReader({ redis: backend().urls, service });
      readers.push(reader);
      await waitFor("every task published", async () => (await readProcs(reader)).length === ids.length);
      let resets = 0;
      const events: string[] = [];
      const stop = fleetEvents(reader, () => resets++).subscribe((event) => events.push(event.id));
      try {
        let m = 0;
        await waitFor("events relayed", () => {
          worker.send(`start before${++m}`);
          return events.some((id) => id.startsWith("w/before"));
        });
        let failover: Promise<unknown> | undefined;
        const answers: number[] = [];
        for (const [i, id] of ids.entries()) {
          if (i === 10) failover = backend().failover!(reader.keys.instances);
          answers.push((await reader.ask("w", "kill", { id, message: "failover" })).status);
          // Once the failover is done, the rest of the kills run on the new master.
          if (i === 30) await failover;
        }
        await failover;
        expect(answers).to.deep.equal(ids.map(() => 200));
        await waitFor("every kill carried out", () => worker.lines.filter((l) => "ended" in l).length >= ids.length);
        const ended = worker.lines.filter((l) => "ended" in l).map((l) => l.ended as string);
        expect(ended.sort()).to.deep.equal([...ids].sort());
        // The event stream lost its subscription with the old master, said so, and relays again.
        await waitFor("a reset said", () => resets > 0);
        let n = 0;
        await waitFor("events relayed after the failover", () => {
          worker.send(`start after${++n}`);
          return events.some((id) => id.startsWith("w/after"));
        });
      } finally {
        stop();
      }
    });

  it("takes the app's own ioredis client, serveFleet lists and kills through it, and PROCLIST_REDIS finds the fleet", async () => {
    const service = `svc${++serviceSeq}`;
    const [host, port] = [new URL(backend().url).hostname, Number(new URL(backend().url).port)];
    // The app's client: a Cluster on a cluster, a Redis on one Redis; proclist never closes it.
    const appClient = kind === "a Redis Cluster" ? new Cluster([{ host, port }]) : new Redis(port, host);
    const pm = new ProcessManager();
    pm.run((task) => new Promise((_resolve, reject) => task.signal.addEventListener("abort", () => reject(task.signal.reason))), {
      id: "t1",
      name: "job",
    }).catch(() => undefined);
    const membership = await joinFleet({ redis: appClient, service, instance: "app", manager: pm, publishMs: 20 });
    const api = await serveFleet({ redis: backend().urls, service, port: 0 });
    try {
      const listed = await waitFor("t1 listed", async () => {
        const answer = await call(api, "GET", "/procs/");
        return (answer.json as { procs: { id: string }[] }).procs.some((p) => p.id === "app/t1") ? answer : undefined;
      });
      expect(listed.status).to.equal(200);
      const fromEnv = await run(["ls", "--json"], {
        PROCLIST_REDIS: backend()
          .urls.at(-1)!
          .replace(/^redis:\/\//, ""),
        PROCLIST_SERVICE: service,
      });
      expect(fromEnv.code, fromEnv.stderr).to.equal(0);
      expect((JSON.parse(fromEnv.stdout) as { id: string }[]).map((r) => r.id)).to.deep.equal(["app/t1"]);
      const killed = await call(api, "DELETE", "/procs/app/t1", { body: JSON.stringify({ message: "done" }) });
      expect(killed.status, killed.text).to.equal(200);
      await waitFor("t1 ended", () => pm.get("t1") === undefined || !pm.get("t1")!.running);
    } finally {
      releaseAll();
      await api.close();
      await membership.leave();
    }
    // Still the app's, still open.
    expect(appClient.status).to.equal("ready");
    expect(await appClient.set(`{app}:check`, "1")).to.equal("OK");
    await appClient.quit();
  });

  it("runs as the README's ACL user, limited to proclist's keys and channels: join, list, history, kill and events", async () => {
    const line = readmeBlocks()
      .flatMap((block) => block.code.split("\n"))
      .find((l) => l.startsWith("ACL SETUSER proclist "))!;
    const args = line.split(" ").slice(1);
    for (const url of backend().urls) {
      const admin = new Redis(url);
      try {
        expect(await admin.call("ACL", ...args)).to.equal("OK");
      } finally {
        admin.disconnect();
      }
    }
    const limited = backend().url.replace("redis://", "redis://proclist:long-password@");
    const service = `svc${++serviceSeq}`;
    const worker = InstanceProcess.start({ REDIS_URL: limited, SERVICE: service, INSTANCE: "w", TASKS: "t1,t2" });
    instances.push(worker);
    expect(await waitFor("w joined", () => worker.said("joined") ?? worker.said("error"))).to.have.property("joined");
    const reader = new FleetReader({ redis: limited, service });
    readers.push(reader);
    await waitFor("both tasks listed", async () => (await readProcs(reader)).length === 2);
    expect((await reader.instances()).map((i) => i.state)).to.deep.equal(["up"]);
    const history = await proclist("history", "w/t1", "--json", "--redis", limited, "--service", service);
    expect(history.code, history.stderr).to.equal(0);
    const events: string[] = [];
    const stop = fleetEvents(reader, () => undefined).subscribe((event) => events.push(event.id));
    try {
      const killed = await proclist("kill", "w/t1", "--redis", limited, "--service", service);
      expect(killed.code, killed.stderr).to.equal(0);
      await waitFor("t1 ended", () => worker.said("ended"));
      let n = 0;
      await waitFor("events relayed", () => {
        worker.send(`start e${++n}`);
        return events.some((id) => id.startsWith("w/e"));
      });
    } finally {
      stop();
    }
  });
});
