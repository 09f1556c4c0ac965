import { expect } from "chai";
import { HttpStatusError, ProclistClient } from "../../lib/client";
import { serveFleet, type ServedApi } from "../../lib";
import { InstanceProcess, proclist } from "../fleet/instances";
import { RedisServer } from "../../samples/redis-server";
import { waitFor } from "../helpers";

interface Row {
  id: string;
  name?: string;
  boot?: string;
}

describe("a kill read from a list before its instance restarted under the same name", function () {
  this.timeout(120_000);
  let redis: RedisServer;
  let api: ServedApi | undefined;
  const started: InstanceProcess[] = [];

  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    await Promise.all(started.map((i) => i.kill()));
    await api?.close();
    await redis.stop();
  });

  it("is refused with a 410 naming the restart, by the fleet API, the client, the command line and the instance itself, and kills nothing", async () => {
    const service = "restarted";
    const env = { REDIS_URL: redis.url, SERVICE: service, INSTANCE: "w1" };
    api = await serveFleet({ redis: redis.url, service, port: 0 });
    const list = async (): Promise<Row[]> => ((await (await fetch(`${api!.url}/procs/`)).json()) as { procs: Row[] }).procs;

    const first = InstanceProcess.start({ ...env, TASKS: "t1:old,t2:old" });
    started.push(first);
    await waitFor("the first incarnation joined", () => first.said("joined"));
    const before = await waitFor("its list", async () => ((await list()).length === 2 ? await list() : undefined));
    const oldBoot = before[0].boot!;
    expect(oldBoot).to.match(/^[A-Za-z0-9_-]{1,64}$/);
    expect(before.map((p) => p.boot)).to.deep.equal([oldBoot, oldBoot]);

    // The instance restarts under its name: its ids start again, t1 is another task now.
    first.send("leave");
    await waitFor("the first left", () => first.said("left"));
    await first.kill();
    const second = InstanceProcess.start({ ...env, TASKS: "t1:new,t2:new" });
    started.push(second);
    await waitFor("the second incarnation joined", () => second.said("joined"));
    const after = await waitFor("its list", async () => {
      const procs = await list();
      return procs.length === 2 && procs.every((p) => p.name === "new") ? procs : undefined;
    });
    const newBoot = after[0].boot!;
    expect(newBoot).to.not.equal(oldBoot);
    const instances = (await (await fetch(`${api.url}/instances`)).json()) as { instances: { instance: string; boot?: string }[] };
    expect(instances.instances[0].boot).to.equal(newBoot);
    const ls = await proclist("ls", "--json", "--redis", redis.url, "--service", service);
    expect((JSON.parse(ls.stdout) as Row[]).map((row) => row.boot)).to.deep.equal([newBoot, newBoot]);

    // The fleet API tells them apart from the registry.
    const res = await fetch(`${api.url}/procs/w1/t1?boot=${oldBoot}`, { method: "DELETE" });
    expect(res.status).to.equal(410);
    expect(((await res.json()) as { error: string }).error).to.match(/"w1" restarted since/);

    // The client carries the boot it was given.
    const client = new ProclistClient(api.url);
    const refused = await client.kill("w1/t1", { boot: oldBoot }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(HttpStatusError);
    expect((refused as HttpStatusError).status).to.equal(410);

    // The command line goes straight to the instance through Redis: the instance refuses it itself.
    // A loaded machine can leave the new instance slow to answer its control channel: the kill is
    // sent again while the answer is that it did not answer (a refused kill is safe to repeat).
    const cli = await waitFor(
      "the instance's own answer to the old boot's kill",
      async () => {
        const answer = await proclist("kill", "w1/t1", "--boot", oldBoot, "--timeout", "20000", "--redis", redis.url, "--service", service);
        return /did not answer within/.test(answer.stderr) ? undefined : answer;
      },
      90_000,
    );
    expect(cli.code, cli.stderr).to.equal(1);
    expect(cli.stderr).to.match(/restarted since/);

    // Nothing was killed: the new t1 still runs, and a kill naming the boot that runs now goes through.
    const t1 = (await (await fetch(`${api.url}/procs/w1/t1`)).json()) as { running: boolean; proc: { cancelling?: boolean } };
    expect(t1.running).to.equal(true);
    expect(t1.proc.cancelling).to.not.equal(true);
    expect((await fetch(`${api.url}/procs/w1/t2?boot=${newBoot}`, { method: "DELETE" })).status).to.equal(200);
    await waitFor("t2 ended", () => second.lines.some((l) => l.ended === "t2"));
    expect(second.lines.filter((l) => "ended" in l).map((l) => l.ended)).to.deep.equal(["t2"]);
    // Without a boot, a kill is for whichever incarnation runs now, as before.
    expect((await fetch(`${api.url}/procs/w1/t1`, { method: "DELETE" })).status).to.equal(200);
    await waitFor("t1 ended", () => second.lines.some((l) => l.ended === "t1"));
  });
});
