import { expect } from "chai";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { Redis } from "ioredis";
import { serveFleet, type ServedApi } from "../../lib";
import { readProcs } from "../../lib/fleet/list";
import { FleetReader } from "../../lib/fleet/reader";
import { validateWire } from "../../lib/wire/schemas";
import type { WireProcList } from "../../lib/wire/shapes";
import { InstanceProcess, proclist, startThree } from "../fleet/instances";
import { RedisServer } from "../../samples/redis-server";
import { waitFor } from "../helpers";
import { MAX_LIST_ROWS, MAX_ROW_BYTES } from "../../lib/fleet/bounds";

const T = "2026-11-24T09:00:00.000001Z";

/** Anything read from Redis is untrusted: what another writer of the same Redis can put there. */
describe("the fleet reads Redis as untrusted input", function () {
  this.timeout(90_000);
  let redis: RedisServer;
  let raw: Redis;
  let listener: Redis | undefined;
  const instances: InstanceProcess[] = [];
  let api: ServedApi | undefined;
  let reader: FleetReader;
  let seq = 0;
  let service: string;
  const key = (rest: string) => `{proclist:${service}}:${rest}`;

  before(async () => {
    redis = await RedisServer.start();
    raw = new Redis(redis.url);
  });
  after(async () => {
    raw.disconnect();
    await redis.stop();
  });
  beforeEach(async () => {
    service = `untrusted${++seq}`;
    await startThree(redis.url, service, instances);
    reader = new FleetReader({ redis: redis.url, service });
    await waitFor("every task published", async () => (await readProcs(reader)).length === 6);
    api = await serveFleet({ redis: redis.url, service, port: 0 });
  });
  afterEach(async () => {
    listener?.disconnect();
    listener = undefined;
    await api?.close();
    api = undefined;
    await reader.close();
    await Promise.all(instances.splice(0).map((i) => i.kill()));
  });

  const call = async (path: string, method = "GET") => {
    const res = await fetch(api!.url + path, { method });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> };
  };

  it("an out-of-range score in the instances set is skipped: every route still answers", async () => {
    await raw.zadd(key("instances"), "1e300", "ghost", "-5", "negative", "inf", "infinite");
    // An instance whose record's times are garbage too.
    await raw.set(key("instance:badrecord"), JSON.stringify({ beatAt: 1e300, startedAt: "x", pid: "p", host: 7 }), "PX", 60_000);
    await raw.zadd(key("instances"), "1e300", "badrecord");
    const listed = await call("/instances");
    expect(listed.status).to.equal(200);
    expect((listed.body.instances as { instance: string }[]).map((i) => i.instance)).to.deep.equal(["a", "b", "c"]);
    const procs = await call("/procs/");
    expect(procs.status).to.equal(200);
    expect((procs.body.procs as unknown[]).length).to.equal(6);
    expect((await call("/procs/?name=job")).status).to.equal(200);
    expect((await call("/procs/a/a1")).status).to.equal(200);
    const killed = await call("/procs/c/c1", "DELETE");
    expect(killed.status).to.equal(200);
    await waitFor("c1 killed", () => instances[2].lines.some((l) => l.ended === "c1"));
    const ls = await proclist("ls", "--redis", redis.url, "--service", service);
    expect(ls.code, ls.stderr).to.equal(0);
  });

  it("values that are not tasks of their instance, and a list of the wrong type, cost only their own rows, named in the answer", async () => {
    const record = (name: string) =>
      JSON.stringify({ instance: name, host: "h", pid: 1, startedAt: Date.now(), beatAt: Date.now(), ttlMs: 60_000, tasks: 1, nonce: "n" });
    await raw.set(key("instance:d"), record("d"), "PX", 60_000);
    await raw.set(key("instance:e"), record("e"), "PX", 60_000);
    await raw.zadd(key("instances"), Date.now(), "d", Date.now(), "e");
    // Something listens on d's and e's control channels, as their processes would: they are up.
    listener = new Redis(redis.url);
    await listener.subscribe(key("control:d"), key("control:e"));
    const foreign = { id: "a/a1", procTime: T, statusTime: T, status: "x", attrs: {}, instance: "a" };
    await raw.hset(
      key("procs:d"),
      "g",
      "garbage",
      "n",
      "null",
      "42",
      "42",
      "arr",
      "[1]",
      "foreign",
      JSON.stringify(foreign),
      "bad",
      // Named "job": a filtered read selects it as a candidate, and finds it is not a task.
      JSON.stringify({ id: "d/1", instance: "d", name: "job" }),
    );
    await raw.set(key("procs:e"), "a string, not a hash");
    for (const path of ["/procs/", "/procs/?name=job"]) {
      const answer = await call(path);
      expect(answer.status, path).to.equal(200);
      expect(validateWire.procList(answer.body), path).to.equal(true);
      expect((answer.body as unknown as WireProcList).procs.map((p) => p.id).sort(), path).to.deep.equal([
        "a/a1",
        "a/a2",
        "b/b1",
        "b/b2",
        "b/forbid-b",
        "c/c1",
      ]);
      expect((answer.body.skipped as { instance: string }[]).map((s) => s.instance).sort(), path).to.deep.equal(["d", "e"]);
    }
    const ls = await proclist("ls", "--redis", redis.url, "--service", service, "--json");
    const rows = JSON.parse(ls.stdout) as { id: string }[];
    expect(rows.map((r) => r.id).sort()).to.deep.equal(["a/a1", "a/a2", "b/b1", "b/b2", "b/forbid-b", "c/c1"]);
  });

  it("malformed batches on the events channel are dropped: serveFleet and watch --redis stay up and relay the next events", async () => {
    const watch = spawn(process.execPath, [join(__dirname, "../../lib/cli/main.js"), "watch", "--redis", redis.url, "--service", service], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    watch.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => watch.once("exit", (code) => resolve(code)));
    try {
      const stream = await fetch(api!.url + "/procs/events");
      const reader = stream.body!.getReader();
      let seen = "";
      const reading = (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          seen += Buffer.from(value).toString();
        }
      })();
      await waitFor(
        "serveFleet and watch subscribed",
        async () => ((await raw.pubsub("NUMSUB", key("events"))) as [string, number])[1] >= 2,
      );
      for (const batch of [
        "null",
        "42",
        '"text"',
        "[]",
        '{"events":[null,7,{"type":"start","proc":null}],"names":[]}',
        '{"events":null,"names":null}',
        '{"events":[{"type":"start","proc":{"id":"a/zz"}}],"names":["n"],"lost":"x"}',
      ])
        await raw.publish(key("events"), batch);
      expect((await call("/procs/", "DELETE")).status).to.equal(400);
      expect((await call("/procs/b/b1", "DELETE")).status).to.equal(200);
      await waitFor("the kill relayed to the page's stream", () => seen.includes('"b/b1"'));
      await waitFor("the kill printed by watch", () => /b1/.test(out));
      expect(watch.exitCode).to.equal(null);
      await reader.cancel();
      await reading.catch(() => undefined);
    } finally {
      watch.kill();
      await exited;
    }
  });

  it(`a task list in Redis longer than an instance writes (${MAX_LIST_ROWS} tasks), or a row longer (${MAX_ROW_BYTES >> 10} KiB), costs only the excess: no more is read, and the instance is named`, async () => {
    // A gone instance's list written by hand: more rows than the publishing script ever keeps, and one huge row.
    const row = (id: string, extra: object = {}) =>
      JSON.stringify({
        id: `big/${id}`,
        procTime: T,
        statusTime: T,
        status: "s",
        attrs: { n: id, ...extra },
        name: "job",
        instance: "big",
      });
    await raw.zadd(key("instances"), Date.now(), "big");
    for (let at = 0; at < MAX_LIST_ROWS + 500; at += 1000) {
      const args: string[] = [];
      for (let i = at; i < at + 1000; i++) args.push(`r${i}`, row(`r${i}`));
      await raw.hset(key("procs:big"), ...args);
    }
    await raw.hset(key("procs:big"), "huge", row("huge", { blob: "x".repeat(4 << 20) }));
    const bigRows = (procs: { id: string }[]) => procs.filter((p) => p.id.startsWith("big/"));
    for (const path of ["/procs/", "/procs/?name=job"]) {
      const answer = await call(path);
      expect(answer.status, path).to.equal(200);
      const procs = bigRows((answer.body as unknown as WireProcList).procs);
      expect(procs.length, path).to.be.at.most(MAX_LIST_ROWS).and.above(0);
      expect(
        procs.some((p) => p.id === "big/huge"),
        path,
      ).to.equal(false);
      expect(answer.text.length, path).to.be.below(MAX_LIST_ROWS * 1024);
      expect(
        (answer.body.skipped as { instance: string }[]).map((s) => s.instance),
        path,
      ).to.include("big");
    }
    for (const filter of [[], ["--name", "job"]]) {
      const ls = await proclist("ls", "--redis", redis.url, "--service", service, "--json", ...filter);
      expect(ls.code, ls.stderr).to.equal(0);
      const procs = bigRows(JSON.parse(ls.stdout) as { id: string }[]);
      expect(procs.length).to.be.at.most(MAX_LIST_ROWS).and.above(0);
      expect(procs.some((p) => p.id === "big/huge")).to.equal(false);
    }
  });

  it("an instance's answer of finished tasks that is not a list of its own costs only that instance in GET /procs/finished, named in skipped", async () => {
    expect((await call("/procs/c/c1", "DELETE")).status).to.equal(200);
    await waitFor("c1 ended", () => instances[2].lines.some((l) => l.ended === "c1"));
    // Two processes that answer as instances would: with junk, and with another instance's task.
    const record = JSON.stringify({
      instance: "x",
      host: "h",
      pid: 1,
      startedAt: Date.now(),
      beatAt: Date.now(),
      ttlMs: 60_000,
      tasks: 0,
      nonce: "n",
    });
    await raw.set(key("instance:junk"), record, "PX", 60_000);
    await raw.set(key("instance:foreign"), record, "PX", 60_000);
    await raw.zadd(key("instances"), Date.now(), "junk", Date.now(), "foreign");
    const foreign = {
      id: "a/zz",
      procTime: T,
      statusTime: T,
      status: "s",
      attrs: {},
      instance: "a",
      outcome: "ok",
      endTime: T,
      durationMs: 1,
    };
    const answers: Record<string, unknown> = { junk: [null, 7, "x"], foreign: [foreign] };
    listener = new Redis(redis.url);
    listener.on("message", (channel: string, text: string) => {
      const request = JSON.parse(text) as { rid: string; caller: string };
      const body = { finished: answers[channel.slice(channel.lastIndexOf(":") + 1)], serverTime: T };
      void raw.publish(key(`reply:${request.caller}`), JSON.stringify({ rid: request.rid, status: 200, body }));
    });
    await listener.subscribe(key("control:junk"), key("control:foreign"));
    const answer = await call("/procs/finished");
    expect(answer.status, answer.text).to.equal(200);
    expect((answer.body.finished as { id: string }[]).map((p) => p.id)).to.deep.equal(["c/c1"]);
    expect((answer.body.skipped as { instance: string }[]).map((s) => s.instance).sort()).to.deep.equal(["foreign", "junk"]);
  });
});
