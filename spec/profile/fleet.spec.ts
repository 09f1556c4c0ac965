import { expect } from "chai";
import { serveFleet, type ServedApi } from "../../lib";
import { readProcs } from "../../lib/fleet/list";
import { FleetReader } from "../../lib/fleet/reader";
import { RedisServer } from "../../samples/redis-server";
import { InstanceProcess, startThree } from "../fleet/instances";
import { waitFor } from "../helpers";
import { proclist } from "../cli/fixture";

describe("a CPU profile through serveFleet", function () {
  this.timeout(90_000);
  let redis: RedisServer;
  const instances: InstanceProcess[] = [];
  let api: ServedApi;
  let reader: FleetReader;

  before(async () => {
    redis = await RedisServer.start();
    await startThree(redis.url, "profiled", instances);
    reader = new FleetReader({ redis: redis.url, service: "profiled" });
    await waitFor("every task published", async () => (await readProcs(reader)).length === 6);
    api = await serveFleet({ redis: redis.url, service: "profiled", port: 0, timeoutMs: 5_000 });
  });
  after(async () => {
    await api.close();
    await reader.close();
    await Promise.all(instances.splice(0).map((i) => i.kill()));
    await redis.stop();
  });

  const get = async (path: string) => {
    const res = await fetch(api.url + path);
    return { status: res.status, body: (await res.json()) as any };
  };

  it("profiles every up instance at once and answers their tables side by side", async () => {
    const { status, body } = await get("/procs/profile?seconds=1");
    expect(status).to.equal(200);
    expect(body.profiles.map((p: { instance: string }) => p.instance).sort()).to.deep.equal(["a", "b", "c"]);
    for (const entry of body.profiles) {
      expect(entry.profile, JSON.stringify(entry)).to.be.an("object");
      expect(entry.profile.samples).to.be.greaterThan(0);
      expect(entry.profile.names).to.be.an("array");
      expect(entry.profile.outside.share).to.be.within(0, 1);
    }
  });

  it("profiles one instance with instance=<name>, and answers 409 for it while it profiles, 502 for an unknown one", async () => {
    const first = get("/procs/profile?seconds=3&instance=b");
    const busy = await waitFor("instance b to be profiling", async () => {
      const answer = await get("/procs/profile?seconds=1&instance=b");
      return answer.status === 409 ? answer : undefined;
    });
    expect(busy.body.error).to.match(/already running/);
    const all = await get("/procs/profile?seconds=1");
    const forB = all.body.profiles.find((p: { instance: string }) => p.instance === "b");
    expect(forB).to.include({ status: 409 });
    expect(all.body.profiles.filter((p: { profile?: unknown }) => p.profile !== undefined)).to.have.length(2);
    const done = await first;
    expect(done.status).to.equal(200);
    expect(done.body.profiles).to.have.length(1);
    expect(done.body.profiles[0].instance).to.equal("b");
    expect(done.body.profiles[0].profile.samples).to.be.greaterThan(0);
    expect((await get("/procs/profile?seconds=1&instance=nobody")).status).to.equal(502);
    expect((await get("/procs/profile?seconds=0")).status).to.equal(400);
  });

  it("is printed by proclist profile pointed at the fleet's API: one table with a row group per instance", async () => {
    const label = new URL(api.url).host;
    const { code, stdout, stderr } = await proclist(["profile", "-e", label, "--seconds", "1", "--json"]);
    expect(code, stderr).to.equal(0);
    const found = JSON.parse(stdout) as { endpoint: string; profile: { samples: number } }[];
    expect(found.map((entry) => entry.endpoint).sort()).to.deep.equal([`${label}/a`, `${label}/b`, `${label}/c`]);
    for (const entry of found) expect(entry.profile.samples).to.be.greaterThan(0);
    const table = await proclist(["profile", "-e", label, "--seconds", "1"]);
    expect(table.code, table.stderr).to.equal(0);
    for (const instance of ["a", "b", "c"]) expect(table.stdout).to.contain(`${label}/${instance}: `);
  });

  it("stops every instance's profile when its client goes away, so the next profile runs at once", async () => {
    const { request } = await import("node:http");
    const url = new URL(api.url);
    const req = request({ host: url.hostname, port: url.port, path: "/procs/profile?seconds=60", agent: false });
    req.on("error", () => undefined);
    req.end();
    const profiling = async (instance: string) => {
      const reply = await reader.ask(instance, "stats");
      return (reply.body as { profiling?: unknown } | undefined)?.profiling !== undefined;
    };
    await waitFor("every instance to be profiling", async () => (await Promise.all(["a", "b", "c"].map(profiling))).every(Boolean));
    req.destroy();
    await waitFor("every instance to have stopped", async () => !(await Promise.all(["a", "b", "c"].map(profiling))).some(Boolean));
    const { status, body } = await get("/procs/profile?seconds=1");
    expect(status).to.equal(200);
    expect(body.profiles.filter((p: { profile?: unknown }) => p.profile !== undefined)).to.have.length(3);
  });
});
