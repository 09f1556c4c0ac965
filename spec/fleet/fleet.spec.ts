import { expect } from "chai";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { joinFleet, ProcessManager } from "../../lib";
import { readProcs } from "../../lib/fleet/list";
import { FleetReader } from "../../lib/fleet/reader";
import { rejectionOf, waitFor } from "../helpers";
import { CLI_BY, InstanceProcess, proclist, startThree, stoppedAfterEach } from "./instances";
import { RedisServer } from "../../samples/redis-server";
import { proclist as run } from "../cli/fixture";

const cli = join(__dirname, "../../lib/cli/main.js");

describe("fleet on a real Redis", function () {
  this.timeout(90_000);
  let redis: RedisServer;
  const { instances, readers } = stoppedAfterEach();
  let serviceSeq = 0;

  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    await redis.stop();
  });

  /** Three instance processes of a fresh service, joined. */
  async function fleet(extra: { TTL_MS?: string; HEARTBEAT_MS?: string } = {}): Promise<{ service: string; reader: FleetReader }> {
    const service = `svc${++serviceSeq}`;
    await startThree(redis.url, service, instances, extra);
    const reader = new FleetReader({ redis: redis.url, service });
    readers.push(reader);
    await waitFor("every task published", async () => (await readProcs(reader)).length === 6);
    return { service, reader };
  }

  it("lists every instance's tasks, named <instance>/<id> with their instance", async () => {
    const { reader } = await fleet();
    const procs = await readProcs(reader);
    expect(procs.map((p) => p.id).sort()).to.deep.equal(["a/a1", "a/a2", "b/b1", "b/b2", "b/forbid-b", "c/c1"]);
    expect(procs.find((p) => p.id === "b/b1")).to.include({ instance: "b", name: "job", status: "waiting" });
    expect((await reader.instances()).map((i) => [i.instance, i.state])).to.deep.equal([
      ["a", "up"],
      ["b", "up"],
      ["c", "up"],
    ]);
  });

  it("proclist ls --redis shows them with an INSTANCE column, and --json carries instance", async () => {
    const { service } = await fleet();
    const table = await proclist("ls", "--redis", redis.url, "--service", service);
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout.split("\n")[0]).to.match(/^INSTANCE\s+ID\s+NAME/);
    expect(table.stdout).to.match(/\nb\s+b2\s+job/);
    const json = await proclist("ls", "--json", "--redis", redis.url, "--service", service);
    const rows = JSON.parse(json.stdout) as { id: string; instance: string }[];
    expect(rows.map((r) => `${r.instance} ${r.id}`).sort()).to.deep.equal([
      "a a/a1",
      "a a/a2",
      "b b/b1",
      "b b/b2",
      "b b/forbid-b",
      "c c/c1",
    ]);
    // Without --service: the service "default", and the services Redis has are named (found by SCAN).
    const none = await proclist("ls", "--redis", redis.url);
    expect(none.code).to.equal(3);
    expect(none.stderr).to.match(
      new RegExp(`^proclist: redis://127\\.0\\.0\\.1:\\d+: no instance of service "default" in Redis; services found: .*\\b${service}\\b`),
    );
    // A service that is not there is a failure for a script, not an empty list.
    for (const command of ["ls", "stats"]) {
      const nosuch = await proclist(command, "--redis", redis.url, "--service", "nosuch");
      expect(nosuch.code, `${command}: ${nosuch.stderr}`).to.equal(3);
      expect(nosuch.stderr).to.contain('no instance of service "nosuch" in Redis');
    }
    // Redis unreachable: exit 3 with the reason, the password never shown.
    const down = await proclist("ls", "--redis", "redis://u:secret@127.0.0.1:1", "--timeout", "1000");
    expect(down.code).to.equal(3);
    expect(down.stderr).to.include("Redis at redis://u:…@127.0.0.1:1 is unreachable");
    expect(down.stderr).to.not.include("secret");
  });

  it("takes --redis as host:port, and the fleet from PROCLIST_REDIS and PROCLIST_SERVICE", async () => {
    const { service } = await fleet();
    const hostPort = redis.url.replace(/^redis:\/\//, "");
    const ids = (out: string) => (JSON.parse(out) as { id: string }[]).map((r) => r.id).sort();
    const plain = await proclist("ls", "--json", "--redis", hostPort, "--service", service);
    expect(plain.code, plain.stderr).to.equal(0);
    expect(ids(plain.stdout)).to.deep.equal(["a/a1", "a/a2", "b/b1", "b/b2", "b/forbid-b", "c/c1"]);
    // PROCLIST_ENDPOINTS is not read with a fleet: the two cannot be combined.
    const fromEnv = await run(["ls", "--json"], { PROCLIST_REDIS: hostPort, PROCLIST_SERVICE: service, PROCLIST_ENDPOINTS: "127.0.0.1:1" });
    expect(fromEnv.code, fromEnv.stderr).to.equal(0);
    expect(ids(fromEnv.stdout)).to.deep.equal(["a/a1", "a/a2", "b/b1", "b/b2", "b/forbid-b", "c/c1"]);
  });

  it("proclist kill <instance>/<id> ends the task on its own instance only, and answers as today", async () => {
    const { service, reader } = await fleet();
    // The same id on two instances: only the addressed one may end.
    instances[0].send("start same");
    instances[2].send("start same");
    await waitFor("both 'same' tasks published", async () => (await readProcs(reader)).filter((p) => p.id.endsWith("/same")).length === 2);
    const killed = await proclist("kill", "c/same", "-m", "stuck", "--redis", redis.url, "--service", service);
    expect(killed.code, killed.stderr).to.equal(0);
    const ended = await waitFor("c's task ended", () => instances[2].said("ended"));
    expect(ended).to.deep.equal({ ended: "same", outcome: "killed", killedBy: CLI_BY });
    await waitFor(
      "the list updated",
      async () =>
        (await readProcs(reader))
          .filter((p) => p.id.endsWith("/same"))
          .map((p) => p.id)
          .join() === "a/same",
    );
    expect(instances[0].said("ended")).to.equal(undefined);
    expect(instances[1].said("ended")).to.equal(undefined);

    expect((await proclist("kill", "c/nope", "--redis", redis.url, "--service", service)).code).to.equal(1);
    expect((await proclist("kill", "ghost/x", "--redis", redis.url, "--service", service)).code).to.equal(1);
    const forbidden = await proclist("kill", "b/forbid-b", "--redis", redis.url, "--service", service);
    expect(forbidden.code).to.equal(2);
    expect(forbidden.stderr).to.include("cannot be cancelled");
    const usage = await proclist("kill", "no-instance-part", "--redis", redis.url, "--service", service);
    expect(usage.code).to.equal(64);
    expect(usage.stderr).to.include("<instance>/<id>");
  });

  it("proclist history <instance>/<id> shows the task's timeline from its instance", async () => {
    const { service } = await fleet();
    const shown = await proclist("history", "a/a2", "--json", "--redis", redis.url, "--service", service);
    expect(shown.code, shown.stderr).to.equal(0);
    const out = JSON.parse(shown.stdout) as { id: string; endpoint: string; history: { status: string }[] };
    expect(out).to.include({ id: "a/a2", endpoint: "a" });
    expect(out.history.map((e) => e.status)).to.deep.equal(["init", "waiting"]);
  });

  it("names the instance or the Redis that answered in every message and table: stats say INSTANCE as ls does", async () => {
    const { service } = await fleet();
    // Each instance answers stats on its control channel; on a loaded machine one can be slow to,
    // so each form is read again until every instance answered (exit 0 with rows of a, b and c).
    const everyInstance = (instances: string[]) => ["a", "b", "c"].every((i) => instances.includes(i));
    const table = await waitFor(
      "a stats table with a row of every instance",
      async () => {
        const answer = await proclist("stats", "--no-phases", "--timeout", "20000", "--redis", redis.url, "--service", service);
        const rows = answer.stdout.trimEnd().split("\n").slice(1);
        return answer.code === 0 && everyInstance(rows.map((l) => l.split(/ {2,}/)[0])) ? answer : undefined;
      },
      60_000,
    );
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).to.match(/^INSTANCE {2,}NAME {2,}RUNNING/);
    const json = await waitFor(
      "stats --json with rows of every instance",
      async () => {
        const answer = await proclist("stats", "--json", "--timeout", "20000", "--redis", redis.url, "--service", service);
        const rows = JSON.parse(answer.stdout) as Record<string, unknown>[];
        return answer.code === 0 && everyInstance(rows.map((r) => String(r.instance))) ? rows : undefined;
      },
      60_000,
    );
    expect(json.map((r) => r.instance).sort()).to.include.members(["a", "b", "c"]);
    expect(json[0]).to.not.have.property("endpoint");
    const unknown = await proclist("history", "zz/1", "--redis", redis.url, "--service", service);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.equal(
      `proclist: ${redis.url}: no such task: "zz/1" (no instance "zz" in service "${service}"; proclist ls --redis lists them)\n`,
    );
    const missing = await proclist("history", "a/nope", "--redis", redis.url, "--service", service);
    expect(missing.stderr).to.equal('proclist: a: no such task: "a/nope" (not running, nor among the finished tasks kept there)\n');
  });

  it("proclist watch --redis prints each instance's events as they happen", async () => {
    const { service } = await fleet();
    const watch = spawn(
      process.execPath,
      [cli, "watch", "--json", "--count", "1", "--name", "job", "--redis", redis.url, "--service", service],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    watch.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => watch.once("exit", resolve));
    try {
      // Instances relay only once a reader listens: start tasks until one is printed.
      let n = 0;
      await waitFor("an event printed", () => {
        instances[1].send(`start w${++n}`);
        return out.includes("\n");
      });
      const line = JSON.parse(out.split("\n")[0]) as { endpoint: string; type: string; proc?: { id: string } };
      expect(line).to.include({ endpoint: "b", type: "start" });
      expect(line.proc!.id).to.match(/^w\d+$/);
      expect(await exited).to.equal(0);
    } finally {
      watch.kill();
    }
  });

  it("an instance killed with SIGKILL disappears within its TTL; one that leaves disappears at once", async () => {
    const { service, reader } = await fleet({ TTL_MS: "1500", HEARTBEAT_MS: "300" });
    await instances[2].kill("SIGKILL");
    await waitFor("c gone", async () => (await reader.instances()).find((i) => i.instance === "c")?.state === "gone");
    // Its last tasks are still read, each marked gone: not live, not cancellable.
    for (const proc of (await readProcs(reader)).filter((p) => p.instance === "c")) expect(proc.gone, proc.id).to.be.a("string");
    instances[0].send("leave");
    await waitFor("a left", () => instances[0].said("left"));
    // At once: the first read after leave() returned already sees it gone.
    expect((await reader.instances()).find((i) => i.instance === "a")?.state).to.equal("gone");
    const gone = await proclist("kill", "c/c1", "--redis", redis.url, "--service", service);
    expect(gone.code).to.equal(3);
    expect(gone.stderr).to.include("is gone since");
  });

  it("refuses a duplicate live instance name with a clear error", async () => {
    const { service } = await fleet();
    const twin = InstanceProcess.start({ REDIS_URL: redis.url, SERVICE: service, INSTANCE: "b" });
    instances.push(twin);
    const said = await waitFor("the twin refused", () => twin.said("error"));
    expect(said.name).to.equal("DuplicateInstanceError");
    expect(said.error).to.match(/instance name "b" is already used by a live instance of service "svc\d+"/);
    expect(await twin.exited).to.equal(3);
  });

  it("keeps tracking through a Redis outage, then re-registers and publishes the whole list again", async () => {
    const { reader } = await fleet({ TTL_MS: "3000", HEARTBEAT_MS: "500" });
    await redis.stop();
    instances[1].send("start during-outage");
    await waitFor("a task started while Redis is down", () => instances[1].said("started"));
    // The outage the issue asks for; what follows waits for conditions only.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await redis.restart();
    await waitFor("the whole list back", async () => (await readProcs(reader)).length === 7, 30_000);
    expect((await readProcs(reader)).map((p) => p.id)).to.include("b/during-outage");
    // Each instance's subscriber reconnects on its own backoff: up once it listens again.
    await waitFor("every instance up again", async () => (await reader.instances()).every((i) => i.state === "up"), 30_000);
    for (const instance of instances) {
      expect(instance.child.exitCode).to.equal(null);
      expect(instance.lines.filter((l) => "unhandled" in l)).to.deep.equal([]);
    }
  });

  describe("joinFleet options", () => {
    it("names the wrong option and value in a TypeError", async () => {
      const error = await rejectionOf(joinFleet({ redis: "http://x", service: "s" }));
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.include('"redis"');
      const bad = await rejectionOf(joinFleet({ redis: redis.url, instance: "a/b" }));
      expect((bad as Error).message).to.match(/invalid fleet option "instance" "a\/b"/);
      const beat = await rejectionOf(joinFleet({ redis: redis.url, ttlMs: 1000, heartbeatMs: 600, manager: new ProcessManager() }));
      expect((beat as Error).message).to.include('"heartbeatMs" 600');
    });
  });
});
