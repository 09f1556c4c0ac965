import { expect } from "chai";
import { Redis } from "ioredis";
import { serveFleet, type ServedApi } from "../../lib";
import { readProcs } from "../../lib/fleet/list";
import { FleetReader } from "../../lib/fleet/reader";
import { validateWire } from "../../lib/wire/schemas";
import type { WireProcList } from "../../lib/wire/shapes";
import { InstanceProcess, proclist, startThree } from "../fleet/instances";
import { RedisServer } from "../../samples/redis-server";
import { waitFor } from "../helpers";

describe("a dead instance's last tasks", function () {
  this.timeout(90_000);
  let redis: RedisServer;
  const instances: InstanceProcess[] = [];
  let api: ServedApi | undefined;
  let reader: FleetReader;

  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    await api?.close();
    await reader?.close();
    await Promise.all(instances.splice(0).map((i) => i.kill()));
    await redis.stop();
  });

  it("ls --redis (table and --json) and serveFleet's list show them as on a gone instance, not cancellable, instead of dropping them", async () => {
    const service = "gone";
    const [, b] = await startThree(redis.url, service, instances, { TTL_MS: "3000", HEARTBEAT_MS: "500" });
    reader = new FleetReader({ redis: redis.url, service });
    await waitFor("every task published", async () => (await readProcs(reader)).length === 6);
    b.child.kill("SIGKILL");
    instances.splice(instances.indexOf(b), 1);
    // Gone at once (its connection dropped); its rows must outlive its record too, which expires 3 s after its last heartbeat.
    const raw = new Redis(redis.url);
    try {
      await waitFor("b's record expired", async () => (await raw.exists(reader.keys.instance("b"))) === 0, 60_000);
    } finally {
      raw.disconnect();
    }
    expect((await reader.instances()).find((i) => i.instance === "b")?.state).to.equal("gone");

    const json = await proclist("ls", "--redis", redis.url, "--service", service, "--json");
    expect(json.code, json.stderr).to.equal(0);
    const rows = JSON.parse(json.stdout) as { id: string; instanceState: string; goneSince?: string; cancellable?: boolean }[];
    const bRows = rows.filter((r) => r.id.startsWith("b/"));
    expect(bRows.map((r) => r.id).sort()).to.deep.equal(["b/b1", "b/b2", "b/forbid-b"]);
    for (const row of bRows)
      expect(row).to.include({ instanceState: "gone", cancellable: false }).and.have.property("goneSince").that.is.a("string");
    for (const row of rows.filter((r) => !r.id.startsWith("b/"))) expect(row.instanceState).to.equal("up");

    const table = await proclist("ls", "--redis", redis.url, "--service", service);
    expect(table.code).to.equal(0);
    expect(table.stdout.split("\n").filter((l) => l.startsWith("b (gone)"))).to.have.length(3);
    // In the one style and the command's one time format (TZ=UTC in specs), not the wire's RFC 3339.
    expect(table.stderr).to.match(/^proclist: b: gone since \d\d:\d\d:\d\d\.\d{3}: its last 3 tasks shown as of then, not cancellable$/m);

    api = await serveFleet({ redis: redis.url, service, port: 0 });
    const res = await fetch(`${api.url}/procs/`);
    const body = (await res.json()) as WireProcList;
    expect(validateWire.procList(body)).to.equal(true);
    const gone = body.procs.filter((p) => p.instance === "b") as (WireProcList["procs"][number] & { gone?: string })[];
    expect(gone.map((p) => p.id).sort()).to.deep.equal(["b/b1", "b/b2", "b/forbid-b"]);
    for (const proc of gone) expect(proc.gone).to.be.a("string");
    for (const proc of body.procs.filter((p) => p.instance !== "b")) expect(proc).not.to.have.property("gone");
    const kill = await fetch(`${api.url}/procs/b/b1`, { method: "DELETE" });
    expect(kill.status).to.equal(502);
    expect(((await kill.json()) as { error: string }).error).to.match(/is gone/);
  });

  it("an instance whose Redis connection drops is gone at once, while its record has long to live: GET /instances, ls --json and the fleet's list say so", async () => {
    const service = "dropped";
    const [, b] = await startThree(redis.url, service, instances, { TTL_MS: "60000", HEARTBEAT_MS: "1000" });
    const local = new FleetReader({ redis: redis.url, service });
    const raw = new Redis(redis.url);
    const ownApi = await serveFleet({ redis: redis.url, service, port: 0 });
    try {
      await waitFor("every task published", async () => (await readProcs(local)).length === 6);
      const since = async () => (await local.instances()).find((i) => i.instance === "b");
      expect((await since())?.state).to.equal("up");
      // SIGKILL: the process ends without leave(); the OS closes its sockets, and Redis drops its subscription.
      b.child.kill("SIGKILL");
      instances.splice(instances.indexOf(b), 1);
      await waitFor("b gone by its dropped connection", async () => (await since())?.state === "gone");
      // Its record is still there (60 s TTL): the state came from the connection, not the expiry.
      expect(await raw.pttl(local.keys.instance("b"))).to.be.above(0);

      const listed = (await (await fetch(`${ownApi.url}/instances`)).json()) as { instances: { instance: string; state: string }[] };
      expect(listed.instances.find((i) => i.instance === "b")?.state).to.equal("gone");
      const json = await proclist("ls", "--redis", redis.url, "--service", service, "--json");
      expect(json.code, json.stderr).to.equal(0);
      const rows = JSON.parse(json.stdout) as { id: string; instanceState: string; cancellable?: boolean }[];
      for (const row of rows.filter((r) => r.id.startsWith("b/"))) expect(row).to.include({ instanceState: "gone", cancellable: false });
      expect(rows.filter((r) => r.id.startsWith("b/"))).to.have.length(3);
      const body = (await (await fetch(`${ownApi.url}/procs/`)).json()) as WireProcList;
      const gone = body.procs.filter((p) => p.instance === "b") as (WireProcList["procs"][number] & { gone?: string })[];
      expect(gone.map((p) => p.id).sort()).to.deep.equal(["b/b1", "b/b2", "b/forbid-b"]);
      for (const proc of gone) expect(proc.gone).to.be.a("string");
      const kill = await fetch(`${ownApi.url}/procs/b/b1`, { method: "DELETE" });
      expect(kill.status).to.equal(502);
      expect(((await kill.json()) as { error: string }).error).to.match(/is gone/);
      // The others stay up: each still listens on its channel.
      expect((await local.instances()).filter((i) => i.state === "up").map((i) => i.instance)).to.deep.equal(["a", "c"]);
    } finally {
      await ownApi.close();
      await local.close();
      raw.disconnect();
    }
  });

  it("an instance that is only frozen keeps its connection and stays up until its record expires", async () => {
    const service = "frozen-one";
    const [, b] = await startThree(redis.url, service, instances, { TTL_MS: "8000", HEARTBEAT_MS: "500" });
    const local = new FleetReader({ redis: redis.url, service });
    try {
      await waitFor("every task published", async () => (await readProcs(local)).length === 6);
      b.child.kill("SIGSTOP");
      const raw = new Redis(redis.url);
      try {
        // While its record lives, b is up: its connection is open and listening (the record read
        // after the state proves it lived when the state was read).
        const state = (await local.instances()).find((i) => i.instance === "b")?.state;
        if ((await raw.exists(local.keys.instance("b"))) === 1) expect(state).to.equal("up");
        await waitFor("b gone by its TTL", async () => (await local.instances()).find((i) => i.instance === "b")?.state === "gone");
        expect(await raw.exists(local.keys.instance("b"))).to.equal(0);
      } finally {
        raw.disconnect();
        b.child.kill("SIGCONT");
      }
    } finally {
      await local.close();
    }
  });
});
