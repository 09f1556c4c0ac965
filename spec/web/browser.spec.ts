import { expect } from "chai";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ProcessManager, type TaskHandle } from "../../lib";
import { startSample, type Sample } from "../../samples/service";
import { listenOnLoopback } from "../helpers";
import { startApi } from "../http/http-helpers";
import { createServer } from "node:http";
import polka from "polka";
import { createApp, serve } from "../../lib";
import { ARTIFACTS, byData, chromiumPerSuite, openPage, type PageLog } from "./chromium";

/** Starts a sample request and keeps its answer for later; the sample answers 503 once killed. */
function request(url: string): Promise<{ status: number; body: { error?: string } }> {
  return fetch(url).then(
    async (res) => ({ status: res.status, body: (await res.json()) as { error?: string } }),
    (error: unknown) => ({ status: 0, body: { error: String(error) } }),
  );
}

function rowOf(id: string): string {
  return `#live-rows .row${byData("id", id)}`;
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.textContent(selector))?.trim() ?? "";
}

describe("web: the page in Chromium, against the sample", function () {
  this.timeout(60_000);
  let browser: Browser;
  let sample: Sample;
  let manager: ProcessManager;
  let context: BrowserContext;
  let page: Page;
  let log: PageLog;

  chromiumPerSuite((launched) => (browser = launched));

  beforeEach(async () => {
    manager = new ProcessManager();
    sample = await startSample({ port: 0, apiPort: 0, manager });
    ({ context, page, log } = await openPage(browser));
  });

  afterEach(async () => {
    await context?.close();
    await sample?.close();
  });

  it("shows a new task within 1 s, follows its status, cancels it with a message, and lists it killed", async () => {
    // A busy service first: long requests in different steps, short ones done, a protected
    // export, a failed report.
    for (const [ms, steps] of [
      [45_000, 30],
      [40_000, 12],
      [36_000, 6],
    ]) {
      void request(`${sample.url}/work?ms=${ms}&steps=${steps}`);
      await sleep(400);
    }
    await Promise.all([1, 2, 3].map((n) => request(`${sample.url}/users/${n}`)));
    manager.start("nightly-export", { name: "Export.run", forbidCancel: true, attrs: { table: "orders", rows: 120_000 } });
    manager.status("nightly-export", "writing part 3/8");
    await manager
      .run(() => Promise.reject(new Error("upstream timed out")), { name: "Report.render", attrs: { report: "q3" } })
      .catch(() => {});
    await page.goto(`${sample.api.url}/`);
    await page.waitForSelector("#connection[data-state=live]", { timeout: 10_000 });
    await page.fill("#filter", "tag=fresh");

    const answer = request(`${sample.url}/work?ms=60000&steps=60&tag=fresh`);
    const row = await page.waitForSelector('#live-rows .row:has-text("tag=fresh")', { timeout: 1000 });
    const id = (await row.getAttribute("data-id"))!;
    expect(await text(page, "#live-count")).to.equal(`1 of ${manager.size} running`);

    await page.waitForFunction((sel) => document.querySelector(`${sel} .status`)?.textContent === "step 2/60", rowOf(id), {
      timeout: 5000,
    });

    await page.click(`${rowOf(id)} .name`);
    await page.waitForFunction(() => document.querySelectorAll("#timeline-bars .step:not(.axis)").length >= 3, undefined, {
      timeout: 5000,
    });
    const steps = await page.$$eval("#timeline-bars .step:not(.axis)", (rows) =>
      rows.map((r) => [r.querySelector(".label")?.textContent, r.querySelector(".ms")?.textContent]),
    );
    expect(steps.slice(0, 3).map(([label]) => label)).to.deep.equal(["init", "step 1/60", "step 2/60"]);
    for (const [, ms] of steps) expect(ms).to.match(/\d( ms| s|m |h )/);

    await page.click(`${rowOf(id)} button.cancel`);
    await page.waitForSelector("#cancel-dialog[open]");
    expect(await text(page, "#cancel-id")).to.equal(id);
    expect(await text(page, "#cancel-facts")).to.include("tag=fresh");
    await page.fill("#cancel-message", "too slow for the demo");
    await page.click("#cancel-confirm");

    const done = `#finished-rows tr${byData("id", id)}`;
    await page.waitForSelector(done, { timeout: 5000 });
    expect(await text(page, `${done} .outcome`)).to.equal("killed");
    expect(await text(page, `${done} .status`)).to.equal("killed: too slow for the demo");
    expect(await text(page, `${done} .who`)).to.equal("127.0.0.1");
    await page.waitForSelector(rowOf(id), { state: "detached", timeout: 5000 });
    // The sample's request tracker answers the killed request: 503 with the kill message.
    const killed = await answer;
    expect(killed.status).to.equal(503);
    expect(killed.body.error).to.match(/too slow for the demo$/);
    await page.waitForFunction(
      () => document.querySelector('#stats-rows [data-name="GET /work"] td:nth-child(5)')?.textContent === "1",
      undefined,
      { timeout: 10_000 },
    );

    // The picture: everything running again, the killed task's timeline open.
    await page.fill("#filter", "");
    await page.click(done);
    await page.waitForFunction(
      () => [...document.querySelectorAll("#timeline-bars .step .label")].at(-1)?.textContent?.startsWith("killed"),
      undefined,
      { timeout: 5000 },
    );
    await page.mouse.move(0, 0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "web-page.png"), fullPage: true });

    expect(log.errors).to.deep.equal([]);
    const origin = new URL(sample.api.url).origin;
    expect(log.requests.filter((r) => new URL(r.url).origin !== origin)).to.deep.equal([]);
  });

  it("shows why a forbidCancel task has no Cancel button", async () => {
    manager.start("migration-7", { name: "Migration.run", forbidCancel: true, attrs: { table: "users" } });
    try {
      await page.goto(`${sample.api.url}/`);
      await page.waitForSelector(`${rowOf("migration-7")} .protected`, { timeout: 10_000 });
      expect(await page.$(`${rowOf("migration-7")} button.cancel`)).to.equal(null);
      expect(await page.getAttribute(`${rowOf("migration-7")} .protected`, "title")).to.include("forbidCancel");
      await page.click(`${rowOf("migration-7")} .name`);
      await page.waitForFunction(() => document.querySelector("#timeline-facts")?.textContent?.includes("not allowed"), undefined, {
        timeout: 5000,
      });
    } finally {
      manager.done("migration-7");
    }
    expect(log.errors).to.deep.equal([]);
  });

  it("stays live with thousands of tasks: keyed rows for the visible window only, sort and filter over all", async () => {
    for (let i = 0; i < 3000; i++) manager.start(`job-${i}`, { name: `Batch.part${i % 7}`, attrs: { shard: i % 50 } });
    await page.goto(`${sample.api.url}/`);
    await page.waitForFunction(() => document.querySelector("#live-count")?.textContent === "3000 running", undefined, { timeout: 10_000 });
    // A burst after load: 2,000 more starts and as many status changes, all from the stream.
    for (let i = 3000; i < 5000; i++) manager.start(`job-${i}`, { name: "Batch.late" });
    for (let i = 0; i < 2000; i++) manager.status(`job-${i}`, "merging");
    await page.waitForFunction(() => document.querySelector("#live-count")?.textContent === "5000 running", undefined, { timeout: 10_000 });
    expect(await page.$$eval("#live-rows .row", (rows) => rows.length)).to.be.within(10, 80);

    await page.click('#live-header [data-sort="id"]');
    await page.waitForFunction(() => document.querySelector("#live-header .cell.id")?.getAttribute("aria-sort") === "ascending");
    expect(await page.getAttribute("#live-header .cell.age", "aria-sort")).to.equal("none");
    await page.click('#live-header [data-sort="id"]');
    await page.waitForFunction(() => document.querySelector("#live-header .cell.id")?.getAttribute("aria-sort") === "descending");
    const first = () =>
      page.$$eval(
        "#live-rows .row",
        (rows) => rows.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)[0]?.dataset.id,
      );
    expect(await first()).to.equal("job-4999");

    await page.fill("#filter", "merging");
    await page.waitForFunction(() => document.querySelector("#live-count")?.textContent === "2000 of 5000 running");
    await page.fill("#filter", "job-4321");
    await page.waitForFunction(() => document.querySelector("#live-count")?.textContent === "1 of 5000 running");
    expect(await first()).to.equal("job-4321");

    await page.fill("#filter", "");
    for (let i = 0; i < 5000; i++) manager.done(`job-${i}`);
    await page.waitForFunction(() => document.querySelector("#live-count")?.textContent === "0 running", undefined, { timeout: 10_000 });
    expect(await text(page, "#live-empty")).to.equal("No task is running.");
    // With nothing selected the timeline follows the oldest running task; when a burst of endings
    // pushes it out of the kept finished list before its history arrives, that fetch answers 404.
    expect(log.errors.filter((e) => !e.includes("status of 404"))).to.deep.equal([]);
  });
});

describe("web: the page in Chromium, on an API server of its own", function () {
  this.timeout(60_000);
  let browser: Browser;

  chromiumPerSuite((launched) => (browser = launched));

  it("asks for the token, keeps it for the tab, sends it only in the Authorization header, and records who cancelled", async () => {
    const api = await startApi({ token: { alice: "s3cret-token" } });
    const { context, page, log } = await openPage(browser);
    const job = api.manager.run((task: TaskHandle) => sleep(60_000, undefined, { signal: task.signal }), {
      id: "import-1",
      name: "Import.run",
      attrs: { file: "a.csv" },
    });
    job.catch(() => {});
    try {
      await page.goto(`${api.url}/`);
      await page.waitForSelector("#token-dialog[open]", { timeout: 10_000 });
      // Behind the dialog the list is unknown, not empty.
      expect(await text(page, "#live-empty")).to.equal("Not loaded from the server yet.");
      await page.fill("#token-input", "wrong-token");
      await page.press("#token-input", "Enter");
      await page.waitForFunction(
        () =>
          document.querySelector<HTMLDialogElement>("#token-dialog")?.open && !document.querySelector<HTMLElement>("#token-reason")?.hidden,
        undefined,
        { timeout: 5000 },
      );
      expect(await text(page, "#token-reason")).to.include("unknown bearer token");
      await page.fill("#token-input", "s3cret-token");
      await page.press("#token-input", "Enter");
      await page.waitForSelector(`${rowOf("import-1")}`, { timeout: 5000 });

      // The server asked for a token: the header offers the Token button to change or forget it.
      expect(await page.isVisible("#token-button")).to.equal(true);

      await page.reload();
      await page.waitForSelector("#connection[data-state=live]", { timeout: 10_000 });
      expect(await page.$("#token-dialog[open]")).to.equal(null);
      expect(await page.isVisible("#token-button"), "the Token button of a tab holding a token").to.equal(true);

      await page.click(`${rowOf("import-1")} button.cancel`);
      await page.fill("#cancel-message", "wrong file");
      await page.click("#cancel-confirm");
      const done = `#finished-rows tr${byData("id", "import-1")}`;
      await page.waitForSelector(done, { timeout: 5000 });
      expect(await text(page, `${done} .status`)).to.equal("killed: wrong file");
      expect(await text(page, `${done} .who`)).to.equal("alice@127.0.0.1");
      // Where the who column gives way, the last status' tooltip still says it.
      expect(await page.getAttribute(`${done} .status`, "title")).to.equal("killed: wrong file (killed by alice@127.0.0.1)");

      const fresh = await openPage(browser);
      await fresh.page.goto(`${api.url}/`);
      await fresh.page.waitForSelector("#token-dialog[open]", { timeout: 10_000 });
      await fresh.context.close();
    } finally {
      await context.close();
      await api.close();
    }
    expect(log.requests.filter((r) => r.url.includes("s3cret"))).to.deep.equal([]);
    const apiCalls = log.requests.filter((r) => new URL(r.url).pathname !== "/");
    expect(apiCalls.length).to.be.above(3);
    const withToken = apiCalls.filter((r) => r.authorization === "Bearer s3cret-token");
    const without = apiCalls.filter((r) => r.authorization !== "Bearer s3cret-token").map((r) => r.authorization);
    expect(withToken.length).to.be.above(3);
    expect(without.every((a) => a === undefined || a === "Bearer wrong-token")).to.equal(true);
    expect(log.errors.filter((e) => !e.includes("401"))).to.deep.equal([]);
  });

  it("offers Cancel only where the token may cancel: none with a read-only token, Reports.* only with cancel:Reports.*", async () => {
    const api = await startApi({
      token: { viewer: { token: "viewer-token", can: ["read"] }, reports: { token: "reports-token", can: ["read", "cancel:Reports.*"] } },
    });
    api.manager.start("daily", { name: "Reports.daily" });
    api.manager.start("charge", { name: "Billing.charge" });
    for (const [token, cancellable] of [
      ["viewer-token", []],
      ["reports-token", ["daily"]],
    ] as const) {
      const { context, page } = await openPage(browser);
      try {
        await page.goto(`${api.url}/`);
        await page.waitForSelector("#token-dialog[open]", { timeout: 10_000 });
        await page.fill("#token-input", token);
        await page.press("#token-input", "Enter");
        // Once the rights are known, a task the token may not cancel says so in place of Cancel.
        await page.waitForSelector(`${rowOf("charge")} .no-right`, { timeout: 10_000 });
        for (const id of ["daily", "charge"]) {
          const offered = (await page.$(`${rowOf(id)} button.cancel`)) !== null;
          expect(offered, `${token}: Cancel on ${id}`).to.equal((cancellable as readonly string[]).includes(id));
        }
        expect(await page.getAttribute(`${rowOf("charge")} .no-right`, "title")).to.include("may not cancel Billing.charge");
      } finally {
        await context.close();
      }
    }
    await api.close();
  });

  it("shows the server's refusal in protected mode: no token, and the peer is not on loopback", async () => {
    // Remote only for the kill: a remote peer cannot even load the list (issue 13, item 14).
    const api = await startApi({ peer: (req) => (req.method === "DELETE" ? "203.0.113.9" : "127.0.0.1") });
    const { context, page, log } = await openPage(browser);
    api.manager.start("report-3", { name: "Report.render" });
    try {
      await page.goto(`${api.url}/`);
      await page.click(`${rowOf("report-3")} button.cancel`);
      await page.fill("#cancel-message", "from afar");
      await page.click("#cancel-confirm");
      await page.waitForSelector("#cancel-error:not([hidden])", { timeout: 5000 });
      expect((await text(page, "#cancel-error")).replace(/[\u2068\u2069]/g, "")).to.match(
        /^The server refused: protected mode: DELETE from 203\.0\.113\.9 refused/,
      );
      expect(api.manager.get("report-3")!.cancelling).to.equal(false);
    } finally {
      api.manager.done("report-3");
      await context.close();
      await api.close();
    }
    expect(log.errors.filter((e) => !e.includes("403"))).to.deep.equal([]);
  });

  it("works mounted under a prefix of the user's server: every call is relative to the page", async () => {
    const manager = new ProcessManager();
    manager.start("under-prefix", { name: "Job.run" });
    const app = polka().use("/pm", createApp({ manager }).polka as never);
    const server = createServer(app.handler as never);
    const { url } = await listenOnLoopback(server);
    const { context, page, log } = await openPage(browser);
    try {
      await page.goto(`${url}/pm`);
      await page.waitForSelector(rowOf("under-prefix"), { timeout: 10_000 });
      await page.waitForSelector("#connection[data-state=live]");
    } finally {
      manager.done("under-prefix");
      await context.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    const paths = log.requests.map((r) => new URL(r.url).pathname);
    expect(paths).to.include.members(["/pm", "/pm/procs/events", "/pm/procs/", "/pm/procs/finished", "/pm/stats"]);
    expect(paths.filter((p) => !p.startsWith("/pm"))).to.deep.equal([]);
    expect(log.errors).to.deep.equal([]);
  });

  it("reconnects when the server comes back, and re-reads what it missed", async () => {
    const manager = new ProcessManager();
    manager.start("before-restart", { name: "Job.run" });
    let api = await serve({ port: 0, manager });
    const { port } = api;
    const { context, page, log } = await openPage(browser);
    try {
      await page.goto(`${api.url}/`);
      await page.waitForSelector(rowOf("before-restart"), { timeout: 10_000 });
      await api.close();
      await page.waitForSelector("#connection[data-state=retrying]", { timeout: 10_000 });
      // What happens while the page is cut off reaches it only through the fresh snapshot.
      manager.done("before-restart");
      manager.start("after-restart", { name: "Job.run" });
      api = await serve({ port, manager });
      await page.waitForSelector(rowOf("after-restart"), { timeout: 20_000 });
      await page.waitForSelector(rowOf("before-restart"), { state: "detached" });
      await page.waitForSelector(`#finished-rows tr${byData("id", "before-restart")}`);
      await page.waitForSelector("#connection[data-state=live]");
    } finally {
      manager.done("after-restart");
      await context.close();
      await api.close();
    }
    // Chromium reports each refused connection of the retries on the console; nothing else may appear.
    expect(log.errors.filter((e) => !e.includes("ERR_CONNECTION_REFUSED"))).to.deep.equal([]);
  });
});
