import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { Registry, Counter } from "prom-client";
import { CancelError, ProcessManager, registerMetrics, waitOn } from "../../lib";
import { call, startApi } from "../http/http-helpers";
import { rejectionOf } from "../helpers";

/** `promtool check metrics` on the text: its complaints, "" when it has none. */
function promtool(text: string): string {
  const run = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  if (run.error !== undefined) throw run.error;
  return `${run.stdout}${run.stderr}`.trim() + (run.status === 0 ? "" : ` (exit ${run.status})`);
}

/** The value of the sample with exactly this name and these labels, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort();
  for (const line of text.split("\n")) {
    const match = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const got = match[2].match(/\w+="(?:[^"\\]|\\.)*"/g)!.sort();
    if (got.join() === wanted.join()) return Number(match[3]);
  }
  return undefined;
}

/** Tasks of every kind a scrape must show: ended, aborted, killed by a token, by a peer, by a deadline, by code, and odd statuses. */
async function workload(api: { url: string; manager: ProcessManager }, headers: Record<string, string>): Promise<void> {
  const pm = api.manager;
  pm.run(
    (task) => {
      task.status("validating");
      // Seconds are written to the microsecond: the phase must last past one for its sum to show.
      for (const since = performance.now(); performance.now() - since < 0.01; );
      task.status('quoted "status" with \\ and\nnewline');
    },
    { name: "Orders.place" },
  );
  await rejectionOf(pm.run(async () => Promise.reject(new Error("no stock")), { name: "Orders.place" }));
  const stuck = (id: string) =>
    pm.run((task) => new Promise((_, reject) => task.signal.addEventListener("abort", () => reject(task.signal.reason))), {
      id,
      name: "Reports.build",
    });
  const byToken = rejectionOf(stuck("r1"));
  expect((await call(api, "DELETE", "/procs/r1", { headers })).status).to.equal(200);
  expect(await byToken).to.be.instanceOf(CancelError);
  const byDeadline = rejectionOf(
    pm.run((task) => new Promise((_, reject) => task.signal.addEventListener("abort", () => reject(task.signal.reason))), {
      name: "Reports.build",
      timeoutMs: 1,
    }),
  );
  expect(await byDeadline).to.be.instanceOf(CancelError);
  const byCode = rejectionOf(stuck("r3"));
  pm.kill("r3", "shutting down");
  await byCode;
  // Killed, but still stopping: counted at once.
  pm.start("r4", { name: "Reports.build" });
  pm.kill("r4", "stop", "client");
}

describe("Prometheus metrics", function () {
  this.timeout(30_000);

  describe("GET /metrics on the proclist API", () => {
    let api: Awaited<ReturnType<typeof startApi>>;
    const headers = { authorization: "Bearer s3cret" };
    beforeEach(async () => {
      api = await startApi({ token: { ops: "s3cret" }, metrics: { buckets: [0.001, 0.1, 10] } });
      await workload(api, headers);
    });
    afterEach(() => api.close());

    it("takes its hook off the manager when the API closes, so apps made again do not add up", async () => {
      expect(api.manager.hooks).to.not.equal(undefined);
      await api.close();
      expect(api.manager.hooks).to.equal(undefined);
    });

    it("answers the text format 0.0.4 that promtool accepts without a complaint", async () => {
      const answer = await call(api, "GET", "/metrics", { headers });
      expect(answer.status).to.equal(200);
      expect(answer.headers["content-type"]).to.equal("text/plain; version=0.0.4; charset=utf-8");
      expect(promtool(answer.text)).to.equal("");
    });

    it("counts running tasks, outcomes, durations, time per status and kills by who asked", async () => {
      const text = (await call(api, "GET", "/metrics", { headers })).text;
      expect(sample(text, "proclist_tasks_running", { name: "Reports.build" })).to.equal(1);
      expect(sample(text, "proclist_tasks_total", { name: "Orders.place", outcome: "ended" })).to.equal(1);
      expect(sample(text, "proclist_tasks_total", { name: "Orders.place", outcome: "aborted" })).to.equal(1);
      expect(sample(text, "proclist_tasks_total", { name: "Reports.build", outcome: "killed" })).to.equal(3);
      expect(sample(text, "proclist_task_duration_seconds_count", { name: "Reports.build", outcome: "killed" })).to.equal(3);
      expect(sample(text, "proclist_task_duration_seconds_bucket", { name: "Reports.build", outcome: "killed", le: "+Inf" })).to.equal(3);
      expect(sample(text, "proclist_task_duration_seconds_bucket", { name: "Orders.place", outcome: "ended", le: "10" })).to.equal(1);
      expect(sample(text, "proclist_task_duration_seconds_sum", { name: "Orders.place", outcome: "ended" })).to.be.greaterThan(0);
      expect(sample(text, "proclist_phase_seconds_total", { name: "Orders.place", status: "validating" })).to.be.greaterThan(0);
      expect(
        sample(text, "proclist_phase_seconds_total", { name: "Orders.place", status: 'quoted \\"status\\" with \\\\ and\\nnewline' }),
      ).to.be.at.least(0);
      for (const kind of ["ops", "deadline", "code", "client"])
        expect(sample(text, "proclist_kills_total", { name: "Reports.build", by_kind: kind }), kind).to.equal(1);
      expect(text).to.not.match(/127\.0\.0\.1|::1/);
    });

    it("records a kill from a loopback peer without a token label as loopback, never its address", async () => {
      const open = await startApi({ metrics: true });
      try {
        const running = rejectionOf(
          open.manager.run((task) => new Promise((_, reject) => task.signal.addEventListener("abort", () => reject(task.signal.reason))), {
            id: "x",
            name: "job",
          }),
        );
        expect((await call(open, "DELETE", "/procs/x")).status).to.equal(200);
        await running;
        const text = (await call(open, "GET", "/metrics")).text;
        expect(sample(text, "proclist_kills_total", { name: "job", by_kind: "loopback" })).to.equal(1);
        expect(text).to.not.match(/127\.0\.0\.1/);
      } finally {
        await open.close();
      }
    });

    it("counts the seconds each task name spent waiting, per wait kind, with kinds past 32 per name folded into (other)", async () => {
      await api.manager.run(
        async () => {
          await waitOn("pg", "SELECT orders", new Promise((resolve) => setTimeout(resolve, 20)));
          await waitOn("pg", "SELECT users", Promise.resolve());
          for (let i = 0; i < 40; i++) await waitOn(`kind-${i}`, "x", Promise.resolve());
        },
        { name: "Orders.report" },
      );
      const text = (await call(api, "GET", "/metrics", { headers })).text;
      const pg = api.manager.stats.snapshot().find((s) => s.name === "Orders.report")!.waits!.pg;
      expect(pg.count).to.equal(2);
      expect(sample(text, "proclist_wait_seconds_total", { name: "Orders.report", kind: "pg" })).to.be.closeTo(pg.totalMs / 1000, 1e-6);
      const kinds = [...text.matchAll(/^proclist_wait_seconds_total\{name="Orders.report",kind="((?:[^"\\]|\\.)*)"/gm)].map((m) => m[1]);
      expect(kinds).to.have.length(33);
      expect(kinds).to.include("(other)");
      expect(promtool(text)).to.equal("");
    });

    it("is behind the token like every route", async () => {
      expect((await call(api, "GET", "/metrics")).status).to.equal(401);
    });

    it("folds names and statuses past the stats' bounds into (other)", async () => {
      api.manager.run(
        (task) => {
          for (let i = 0; i < 210; i++) task.status(`phase ${i}`);
        },
        { name: "many-phases" },
      );
      for (let i = 0; i < 1010; i++) api.manager.run(() => i, { name: `name-${i}` });
      const text = (await call(api, "GET", "/metrics", { headers })).text;
      const names = new Set([...text.matchAll(/^proclist_tasks_total\{name="((?:[^"\\]|\\.)*)"/gm)].map((m) => m[1]));
      expect(names.size).to.equal(1001);
      expect(names.has("(other)")).to.equal(true);
      const phases = [...text.matchAll(/^proclist_phase_seconds_total\{name="many-phases",status="((?:[^"\\]|\\.)*)"/gm)].map((m) => m[1]);
      expect(phases).to.have.length(201);
      expect(phases).to.include("(other)");
      expect(promtool(text)).to.equal("");
    });

    it("is not served unless asked for, and refuses bad buckets naming them", async () => {
      const plain = await startApi();
      try {
        expect((await call(plain, "GET", "/metrics")).status).to.equal(404);
      } finally {
        await plain.close();
      }
      let error: unknown;
      await startApi({ metrics: { buckets: [1, 0.5] } }).then(
        (s) => s.close(),
        (e) => (error = e),
      );
      expect(error).to.be.instanceOf(TypeError).with.property("message").that.contains('"buckets"');
    });
  });

  describe("registerMetrics() into the application's prom-client Registry", () => {
    it("adds the same metrics to the application's own output, with its default labels, and removes them", async () => {
      const registry = new Registry();
      registry.setDefaultLabels({ service: "orders" });
      const own = new Counter({ name: "app_requests_total", help: "The application's own metric.", registers: [registry] });
      own.inc();
      const api = await startApi({ token: { ops: "s3cret" } });
      try {
        const remove = registerMetrics(api.manager, registry, { buckets: [0.5, 5] });
        await workload(api, { authorization: "Bearer s3cret" });
        const text = await registry.metrics();
        expect(promtool(text)).to.equal("");
        expect(sample(text, "app_requests_total", { service: "orders" })).to.equal(1);
        expect(sample(text, "proclist_tasks_total", { name: "Reports.build", outcome: "killed", service: "orders" })).to.equal(3);
        expect(
          sample(text, "proclist_task_duration_seconds_bucket", { name: "Orders.place", outcome: "ended", le: "5", service: "orders" }),
        ).to.equal(1);
        expect(sample(text, "proclist_kills_total", { name: "Reports.build", by_kind: "ops", service: "orders" })).to.equal(1);
        expect(() => registerMetrics(api.manager, registry)).to.throw(Error, /already has a metric named proclist_tasks_running/);
        remove();
        const after = await registry.metrics();
        expect(after).to.contain("app_requests_total");
        expect(after).to.not.contain("proclist_");
      } finally {
        await api.close();
      }
    });

    it("refuses something that is not a prom-client Registry", () => {
      expect(() => registerMetrics(new ProcessManager(), {} as Registry)).to.throw(TypeError, /prom-client Registry/);
    });
  });
});
