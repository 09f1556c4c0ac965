import { expect } from "chai";
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
    const [, b] = await startThree(redis.url, service, instances, { TTL_MS: "15000", HEARTBEAT_MS: "1000" });
    b.child.kill("SIGKILL");
    instances.splice(instances.indexOf(b), 1);
    reader = new FleetReader({ redis: redis.url, service });
    await waitFor("every task published", async () => (await readProcs(reader)).length >= 4);
    // b's key expires 15 s after its last heartbeat: wait for the registry to call it gone.
    await waitFor("b listed as gone", async () => (await reader.instances()).some((i) => i.instance === "b" && i.state === "gone"), 60_000);

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
});
