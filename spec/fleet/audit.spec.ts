import { expect } from "chai";
import { ProclistClient, serveFleet, type AuditEntry, type ServedApi } from "../../lib";
import { AuditStream } from "../../lib/fleet/audit-stream";
import { FleetReader } from "../../lib/fleet/reader";
import { readProcs } from "../../lib/fleet/list";
import { RedisServer } from "../../samples/redis-server";
import { waitFor } from "../helpers";
import { call, startApi } from "../http/http-helpers";
import { CLI_BY, InstanceProcess, proclist, startThree } from "./instances";

describe("audit through a fleet", function () {
  this.timeout(120_000);
  let redis: RedisServer;
  const instances: InstanceProcess[] = [];
  let api: ServedApi | undefined;
  const token = { ops: "ops-token", reader: { token: "reader-token", can: ["read"] }, auditor: { token: "auditor-token", can: ["audit"] } };
  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
    await Promise.all(instances.splice(0).map((i) => i.kill()));
  });
  const del = (path: string, bearer: string, message?: string) =>
    fetch(api!.url + path, {
      method: "DELETE",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
      body: message === undefined ? undefined : JSON.stringify({ message }),
    });

  /** Three instances of `service` (see startThree), once every task of theirs is in Redis. */
  async function startPublished(service: string): Promise<void> {
    await startThree(redis.url, service, instances);
    const reader = new FleetReader({ redis: redis.url, service });
    try {
      await waitFor("every task published", async () => (await readProcs(reader)).length === 6);
    } finally {
      await reader.close();
    }
  }

  it("keeps every kill and refusal in the service's stream: after every instance and the fleet API restarted, GET /audit and proclist audit --redis still list them", async () => {
    const service = "audited";
    await startPublished(service);
    api = await serveFleet({ redis: redis.url, service, port: 0, token });
    expect((await del("/procs/b/b1", "ops-token", "nightly export stuck")).status).to.equal(200);
    expect((await del("/procs/a/a1", "reader-token")).status).to.equal(403);
    expect((await del("/procs/?name=job&attr.n=c1", "ops-token", "storm")).status).to.equal(200);
    expect((await del("/procs/c/nope", "ops-token")).status).to.equal(404);

    // Every instance, and the fleet API, go away and come back.
    await api.close();
    await Promise.all(instances.splice(0).map((i) => i.kill()));
    await startThree(redis.url, service, instances);
    api = await serveFleet({ redis: redis.url, service, port: 0, token });

    const listed = (await (await fetch(`${api.url}/audit`, { headers: { authorization: "Bearer auditor-token" } })).json()) as {
      entries: AuditEntry[];
    };
    expect(listed.entries.map((e) => `${e.action} ${e.id ?? JSON.stringify(e.filter)} ${e.outcome} ${e.status}`)).to.deep.equal([
      "kill c/nope failed 404",
      'kill-where {"name":"job","attr.n":"c1"} cancelled 200',
      "kill a/a1 refused 403",
      "kill b/b1 cancelled 200",
    ]);
    expect(listed.entries[3]).to.deep.include({ by: "ops@fleet-api", token: "ops", message: "nightly export stuck", name: "job" });
    expect(listed.entries[0].name, "a task no instance lists has no name").to.equal(undefined);
    expect(listed.entries[1]).to.deep.include({ cancelled: ["c/c1"], refused: [] });

    const cli = await proclist("audit", "--redis", redis.url, "--service", service, "--json");
    expect(cli.code, cli.stderr).to.equal(0);
    const fromCli = JSON.parse(cli.stdout) as AuditEntry[];
    expect(fromCli.map((e) => e.id ?? "filter")).to.deep.equal(["c/nope", "filter", "a/a1", "b/b1"]);
    const table = await proclist("audit", "--redis", redis.url, "--service", service);
    expect(table.stdout).to.match(/kill\s+cancelled 200\s+ops@fleet-api\s+b\/b1/);
  });

  it("records the kills proclist kill --redis sends straight through Redis: one task, by filter, forbidden and not found", async () => {
    const service = "cli-audited";
    await startPublished(service);
    const fleet = ["--redis", redis.url, "--service", service];
    expect((await proclist("kill", "b/b1", "-m", "stuck export", ...fleet)).code).to.equal(0);
    expect((await proclist("kill", "b/forbid-b", ...fleet)).code).to.equal(2);
    expect((await proclist("kill", "c/nope", ...fleet)).code).to.equal(1);
    expect((await proclist("kill", "--name", "job", "--attr", "n=a2", "--all", "--yes", "-m", "storm", ...fleet)).code).to.equal(0);
    const cli = await proclist("audit", ...fleet, "--json");
    expect(cli.code, cli.stderr).to.equal(0);
    const entries = JSON.parse(cli.stdout) as AuditEntry[];
    expect(entries.map((e) => `${e.action} ${e.id ?? JSON.stringify(e.filter)} ${e.outcome} ${e.status}`)).to.deep.equal([
      'kill-where {"name":"job","attr.n":"a2"} cancelled 200',
      "kill c/nope failed 404",
      "kill b/forbid-b refused 403",
      "kill b/b1 cancelled 200",
    ]);
    expect(entries[3]).to.deep.include({ message: "stuck export", name: "job" });
    expect(entries[2]).to.deep.include({ id: "b/forbid-b", name: "job" });
    expect(entries[3].by).to.equal(CLI_BY);
    expect(entries[0]).to.deep.include({ cancelled: ["a/a2"], refused: [], message: "storm" });
  });

  it("names a killed task as the instance's list gives it, and only a name an instance could have written", async () => {
    const service = "named";
    await startPublished(service);
    const reader = new FleetReader({ redis: redis.url, service });
    try {
      await reader.connected();
      // Rows the instance never wrote (it knows neither task): one named as a task may be, one longer than any name.
      await reader.command.hset(reader.keys.procs("c"), "listed", JSON.stringify({ id: "listed", name: "Ghost.job" }));
      await reader.command.hset(reader.keys.procs("c"), "overlong", JSON.stringify({ id: "overlong", name: "n".repeat(201) }));
      api = await serveFleet({ redis: redis.url, service, port: 0, token });
      for (const id of ["listed", "overlong"]) expect((await del(`/procs/c/${id}`, "ops-token")).status).to.equal(404);
      const listed = (await (await fetch(`${api.url}/audit`, { headers: { authorization: "Bearer auditor-token" } })).json()) as {
        entries: AuditEntry[];
      };
      expect(listed.entries.map((e) => [e.id, e.name])).to.deep.equal([
        ["c/overlong", undefined],
        ["c/listed", "Ghost.job"],
      ]);
    } finally {
      await reader.close();
    }
  });

  it("bounds the stream with MAXLEN ~", async () => {
    api = await serveFleet({ redis: redis.url, service: "bounded", port: 0, auditMaxLen: 100 });
    for (let i = 0; i < 400; i++) await fetch(`${api.url}/procs/x/t${i}`, { method: "DELETE" });
    const reader = new FleetReader({ redis: redis.url, service: "bounded" });
    try {
      await waitFor(
        "every entry written",
        async () =>
          Number(await reader.command.xlen(reader.keys.audit)) > 0 &&
          ((await reader.command.xrevrange(reader.keys.audit, "+", "-", "COUNT", 1)) as [string, string[]][])[0][1][1].includes('x/t399"'),
      );
      expect(Number(await reader.command.xlen(reader.keys.audit))).to.be.within(100, 300);
    } finally {
      await reader.close();
    }
  });

  it("with Redis down, a kill on one process still works; the entry waits in memory and is written once Redis is back", async () => {
    const reader = new FleetReader({ redis: redis.url, service: "down" });
    await reader.connected();
    const stream = new AuditStream(reader.connection, reader.keys.audit, 1000);
    const served = await startApi({ audit: stream.sink });
    try {
      await redis.stop();
      await waitFor("the connection to notice", () => reader.command.status !== "ready");
      served.manager.start("t");
      const answer = await call(served, "DELETE", "/procs/t", { body: JSON.stringify({ message: "while redis is down" }) });
      expect(answer.status).to.equal(200);
      expect(served.manager.get("t")!.cancelling).to.equal(true);
      await waitFor("the entry to wait in memory", () => stream.waiting === 1);
      await redis.restart();
      await waitFor(
        "the entry written",
        async () => stream.waiting === 0 && Number(await reader.command.xlen(reader.keys.audit).catch(() => 0)) === 1,
      );
      const [entry] = await stream.read({});
      expect(entry).to.deep.include({ action: "kill", id: "t", message: "while redis is down", outcome: "cancelled" });
    } finally {
      await served.close();
      await reader.close();
    }
  });

  it("answers ?since= before 1970 with every entry and past the last Date with none, through GET /audit and proclist audit --redis", async () => {
    const service = "since";
    const reader = new FleetReader({ redis: redis.url, service });
    try {
      await reader.connected();
      const entry = { ts: "2026-12-06T10:00:00.000000Z", action: "kill", by: "x", outcome: "cancelled", status: 200, id: "t" };
      await reader.command.xadd(reader.keys.audit, "*", "entry", JSON.stringify(entry));
    } finally {
      await reader.close();
    }
    api = await serveFleet({ redis: redis.url, service, port: 0 });
    const ids = async (since: string) => {
      const res = await fetch(`${api!.url}/audit?since=${encodeURIComponent(since)}`);
      expect(res.status, since).to.equal(200);
      return ((await res.json()) as { entries: AuditEntry[] }).entries.map((e) => e.id);
    };
    expect(await ids("-271821-04-20T00:00:00Z")).to.deep.equal(["t"]);
    expect(await ids("0")).to.deep.equal(["t"]);
    expect(await ids("99999999999999999999")).to.deep.equal([]);
    const cli = await proclist("audit", "--redis", redis.url, "--service", service, "--since", "99999999999999999999", "--json");
    expect(cli.code, cli.stderr).to.equal(0);
    expect(JSON.parse(cli.stdout)).to.deep.equal([]);
  });

  it("skips stream entries that are not entries, nested fields included, so one cannot break GET /audit, the client or proclist audit --redis", async () => {
    const service = "forged";
    const reader = new FleetReader({ redis: redis.url, service });
    const head = { action: "kill", by: "x", outcome: "cancelled", status: 200 };
    const at = (s: number) => `2026-12-06T10:00:${String(s).padStart(2, "0")}.000000Z`;
    try {
      await reader.connected();
      const forged: unknown[] = [
        { ts: at(1), ...head, id: "good", message: "kept" },
        { ts: at(2), ...head, action: "kill-where", filter: null },
        { ts: at(3), ...head, action: "kill-where", filter: { name: 5 } },
        { ts: at(4), ...head, message: { text: "not a string" } },
        { ts: at(5), ...head, cancelled: "a/1" },
        { ts: at(6), ...head, refused: [null] },
        { ts: "Sun, 06 Dec 2026 10:00:07 GMT", ...head },
        { ts: at(8), ...head, status: 200.5 },
        { ts: at(9), ...head, token: 7 },
        [at(10)],
      ];
      for (const entry of forged) await reader.command.xadd(reader.keys.audit, "*", "entry", JSON.stringify(entry));
      await reader.command.xadd(reader.keys.audit, "*", "entry", "{not json");
      await reader.command.xadd(reader.keys.audit, "*", "other", "field");
    } finally {
      await reader.close();
    }
    api = await serveFleet({ redis: redis.url, service, port: 0 });
    const listed = await new ProclistClient(api.url).audit();
    expect(listed.entries.map((e) => e.id)).to.deep.equal(["good"]);
    const cli = await proclist("audit", "--redis", redis.url, "--service", service, "--json");
    expect(cli.code, cli.stderr).to.equal(0);
    expect((JSON.parse(cli.stdout) as AuditEntry[]).map((e) => e.id)).to.deep.equal(["good"]);
    const table = await proclist("audit", "--redis", redis.url, "--service", service);
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.match(/good\s+kept/);
  });
});
