import { expect } from "chai";
import { serveFleet, type ServedApi } from "../../lib";
import { ProclistClient } from "../../lib/client/client";
import { readProcs } from "../../lib/fleet/list";
import { FleetReader } from "../../lib/fleet/reader";
import { RedisServer } from "../../samples/redis-server";
import { DEADLINE_SLACK_MS } from "../../lib/fleet/protocol";
import { childEnv, MAIN } from "../cli/fixture";
import { TmuxSession } from "../cli/tmux";
import { CLI_BY, InstanceProcess, proclist } from "./instances";
import { waitFor } from "../helpers";

interface Answer {
  cancelled: string[];
  refused: string[];
  unanswered: { instance: string; reason: string }[];
  message?: string;
}

describe("kill by filter across the fleet", function () {
  this.timeout(90_000);
  let redis: RedisServer;
  const instances: InstanceProcess[] = [];
  let reader: FleetReader;
  let api: ServedApi | undefined;
  let service: string;
  let seq = 0;

  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    await redis.stop();
  });
  // a, b and c each run "report" tasks among others; b's forbid-b refuses a kill.
  beforeEach(async () => {
    service = `kw${++seq}`;
    const started = [
      ["a", "a1:report,a2"],
      ["b", "b1:report,b2,forbid-b:report"],
      ["c", "c1:report"],
    ].map(([name, tasks]) => InstanceProcess.start({ REDIS_URL: redis.url, SERVICE: service, INSTANCE: name, TASKS: tasks }));
    instances.push(...started);
    await waitFor("the instances joined", () => started.every((i) => i.said("joined")), 30_000);
    reader = new FleetReader({ redis: redis.url, service });
    await waitFor("every task published", async () => (await readProcs(reader)).length === 6);
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
    await reader.close();
    await Promise.all(instances.splice(0).map((i) => i.kill()));
  });

  const ended = (i: InstanceProcess) => i.lines.filter((l) => "ended" in l);
  const endedIds = () => instances.flatMap((i) => ended(i).map((l) => `${i.name}/${String(l.ended)}`)).sort();
  const kill = (query: string, init: RequestInit = {}) => fetch(`${api!.url}/procs/${query}`, { method: "DELETE", ...init });

  it("serveFleet's DELETE /procs/?… kills the matching tasks on every instance and names them <instance>/<id>", async () => {
    api = await serveFleet({ redis: redis.url, service, port: 0 });
    const res = await kill("?name=report", {
      body: JSON.stringify({ message: "report storm" }),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).to.equal(200);
    const answer = (await res.json()) as Answer;
    expect(answer.cancelled.sort()).to.deep.equal(["a/a1", "b/b1", "c/c1"]);
    expect(answer.refused).to.deep.equal(["b/forbid-b"]);
    expect(answer.unanswered).to.deep.equal([]);
    expect(answer.message).to.equal("report storm");
    await waitFor("the three ended", () => endedIds().length === 3);
    expect(endedIds()).to.deep.equal(["a/a1", "b/b1", "c/c1"]);
    for (const i of instances)
      for (const line of ended(i)) expect(line).to.deep.include({ outcome: "killed", killedBy: "127.0.0.1@fleet-api" });
    const finished = await new ProclistClient(api.url).finished();
    expect(finished.finished.map((p) => `${p.id} ${p.status}`).sort()).to.deep.equal([
      "a/a1 killed: report storm",
      "b/b1 killed: report storm",
      "c/c1 killed: report storm",
    ]);
    // Attributes narrow it as on one instance: only a2 of the rest.
    const one = (await (await kill("?name=job&attr.n=a2")).json()) as Answer;
    expect(one.cancelled).to.deep.equal(["a/a2"]);
    await waitFor("a2 ended", () => endedIds().includes("a/a2"));
    expect(endedIds()).to.deep.equal(["a/a1", "a/a2", "b/b1", "c/c1"]);
  });

  it("refuses a DELETE /procs/ without a filter (400) and a remote peer without a token, killing nothing", async () => {
    api = await serveFleet({ redis: redis.url, service, port: 0 });
    for (const query of ["", "?", "?sort=id"]) {
      const res = await kill(query);
      expect(res.status, query).to.equal(400);
      expect(((await res.json()) as { error: string }).error).to.match(/needs a filter|sort/);
    }
    await api.close();
    api = await serveFleet({ redis: redis.url, service, port: 0, peer: () => "10.0.0.9" });
    const remote = await kill("?name=report");
    expect(remote.status).to.equal(403);
    expect(((await remote.json()) as { error: string }).error).to.match(/^protected mode/);
    // Each instance reads its channel in order: once all three answered a later kill, nothing earlier is pending.
    await api.close();
    api = await serveFleet({ redis: redis.url, service, port: 0 });
    const later = (await (await kill("?name=job")).json()) as Answer;
    expect(later.unanswered).to.deep.equal([]);
    await waitFor("a2 and b2 ended", () => endedIds().length >= 2);
    expect(endedIds()).to.deep.equal(["a/a2", "b/b2"]);
  });

  it("proclist kill --redis --name … --all cancels them, records cli:<user>@host, and exits as the one-instance command", async () => {
    const killed = await proclist("kill", "--redis", redis.url, "--service", service, "--name", "report", "--all", "-m", "storm");
    expect(killed.code, killed.stderr).to.equal(2);
    expect(killed.stdout).to.equal(`cancel requested: 3 tasks on service ${service} (a/a1, b/b1, c/c1)\n`);
    expect(killed.stderr).to.equal(`proclist: 1 refused on service ${service} (forbidCancel): b/forbid-b\n`);
    await waitFor("the three ended", () => endedIds().length === 3);
    expect(endedIds()).to.deep.equal(["a/a1", "b/b1", "c/c1"]);
    for (const i of instances) for (const line of ended(i)) expect(line).to.deep.include({ outcome: "killed", killedBy: CLI_BY });

    const all = await proclist("kill", "--redis", redis.url, "--service", service, "--name", "job", "--all");
    expect(all.code, all.stderr).to.equal(0);
    expect(all.stdout).to.equal(`cancel requested: 2 tasks on service ${service} (a/a2, b/b2)\n`);
    const none = await proclist("kill", "--redis", redis.url, "--service", service, "--name", "nothing", "--all");
    expect(none.code).to.equal(1);
    // The instances that answered are named, as endpoints are.
    expect(none.stderr).to.equal('proclist: a, b, c: no live task matches name "nothing"\n');
    const bare = await proclist("kill", "--redis", redis.url, "--service", service, "--all");
    expect(bare.code).to.equal(64);
    await waitFor("a2 and b2 ended", () => endedIds().length === 5);
    expect(endedIds()).to.deep.equal(["a/a1", "a/a2", "b/b1", "b/b2", "c/c1"]);
  });

  it("asks for confirmation on a terminal, as on one instance, and kills nothing on no", async () => {
    const command = `${process.execPath} ${MAIN} kill --redis ${redis.url} --service ${service} --name report --all; echo "exit $?"; sleep 30`;
    const session = await TmuxSession.start(command, {
      width: 160,
      height: 20,
      env: { TZ: "UTC", NO_COLOR: "1", PATH: childEnv().PATH ?? "" },
    });
    try {
      const screen = await session.waitFor("the question", (s) => s.includes("[y/N]"));
      expect(screen).to.match(/cancel 4 tasks matching name "report" \((\d on [abc](, )?){3}\)\? \[y\/N\]/);
      await session.keys("n", "Enter");
      await session.waitFor("the exit", (s) => s.includes("exit 0"));
      expect(await session.screen()).to.contain("nothing cancelled");
    } finally {
      await session.close();
    }
    expect(endedIds()).to.deep.equal([]);
  });

  it("names an instance that does not answer as unanswered (exit 3), while the others are killed", async () => {
    // c's process is stopped: its key and subscription stay, so it is up and asked, but silent.
    const c = instances[2];
    c.child.kill("SIGSTOP");
    try {
      api = await serveFleet({ redis: redis.url, service, port: 0, timeoutMs: 1500 });
      const answer = (await (await kill("?name=report")).json()) as Answer;
      expect(answer.cancelled.sort()).to.deep.equal(["a/a1", "b/b1"]);
      expect(answer.refused).to.deep.equal(["b/forbid-b"]);
      expect(answer.unanswered).to.have.length(1);
      expect(answer.unanswered[0].instance).to.equal("c");
      expect(answer.unanswered[0].reason).to.equal(
        'instance "c" did not answer within 1500 ms (a request reaching it later than a second past that is dropped)',
      );

      const cliSent = Date.now();
      const fromCli = await proclist("kill", "--redis", redis.url, "--service", service, "--name", "job", "--all", "--timeout", "1500");
      expect(fromCli.code, fromCli.stderr).to.equal(3);
      expect(fromCli.stdout).to.equal(`cancel requested: 2 tasks on service ${service} (a/a2, b/b2)\n`);
      expect(fromCli.stderr).to.equal(
        'proclist: instance "c" did not answer within 1500 ms (a request reaching it later than a second past that is dropped)\n',
      );
      await waitFor("both requests' deadlines passed on every clock", () => Date.now() > cliSent + 1500 + DEADLINE_SLACK_MS + 200);
    } finally {
      c.child.kill("SIGCONT");
    }
    // Once running again, c reads both requests past their deadlines and drops them: c1 is still
    // live when a later kill (read after them, on the same channel) reaches it.
    const later = await fetch(`${api!.url}/procs/c/c1`, { method: "DELETE" });
    expect(later.status).to.equal(200);
    await waitFor("c1 ended by the later kill", () => endedIds().includes("c/c1"));
  });
});
