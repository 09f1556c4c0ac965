import { expect } from "chai";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ProcessManager, type ServedApi } from "../../lib";
import { listenOnLoopback } from "../helpers";
import { startApi } from "../http/http-helpers";
import { byData, chromiumPerSuite, openPage, type PageLog } from "./chromium";

describe("web: what tasks wait on, in Chromium", function () {
  this.timeout(60_000);
  let browser: Browser;
  let api: ServedApi & { manager: ProcessManager };
  let upstream: Server;
  let upstreamPort: number;
  const held: { req: IncomingMessage; res: ServerResponse }[] = [];
  let context: BrowserContext;
  let page: Page;
  let log: PageLog;

  chromiumPerSuite((launched) => (browser = launched));
  beforeEach(async () => {
    upstream = createServer((req, res) => held.push({ req, res }));
    ({ port: upstreamPort } = await listenOnLoopback(upstream));
    api = await startApi({ manager: new ProcessManager({ waitHistoryMs: 0 }) });
    ({ context, page, log } = await openPage(browser));
  });
  afterEach(async () => {
    for (const { res } of held.splice(0)) res.end();
    await context?.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
    await api.close();
  });

  it("shows a running task's fetch in the waiting on column as it starts and ends, and draws the wait under the statuses of its timeline", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const task = api.manager.run(
      async (t) => {
        t.status("loading");
        await gate;
        const answer = await fetch(`http://127.0.0.1:${upstreamPort}/charge?token=s3cret`).then((r) => r.text());
        t.status("rendering");
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        return answer;
      },
      { id: "checkout-1", name: "POST /checkout" },
    );
    await page.goto(`${api.url}/`);
    await page.waitForSelector("#connection[data-state=live]", { timeout: 10_000 });
    const row = `#live-rows .row${byData("id", "checkout-1")}`;
    await page.waitForSelector(row);
    // Nothing waits yet: no column.
    expect(await page.$(`${row} .cell.waiting`)).to.equal(null);
    await page.click(`${row} .name`);

    release(); // the fetch starts now; the page learns it from the events stream
    const cell = await page.waitForSelector(`${row} .cell.waiting:has-text("fetch GET")`, { timeout: 10_000 });
    expect((await cell.textContent())!.trim()).to.match(new RegExp(`^fetch GET 127\\.0\\.0\\.1:${upstreamPort}/charge · `));
    expect(await page.textContent("#live-rows")).to.not.include("s3cret");
    await page.waitForSelector('#timeline-bars .step.wait.current .label:has-text("fetch GET")', { timeout: 10_000 });

    for (const { res } of held.splice(0)) res.end("paid");
    expect(await task).to.equal("paid");
    // Ended: the finished task's timeline keeps the wait (waitHistoryMs 0), with its duration.
    await page.waitForSelector(`#finished-rows tr${byData("id", "checkout-1")}`, { timeout: 10_000 });
    await page.click(`#finished-rows tr${byData("id", "checkout-1")}`);
    const label = await page.waitForSelector('#timeline-bars .step.wait.w-ok .label:has-text("fetch GET")', { timeout: 10_000 });
    expect((await label.textContent())!).to.include(`127.0.0.1:${upstreamPort}/charge`);
    const statuses = await page.$$eval("#timeline-bars .step:not(.axis):not(.wait) .label", (labels) => labels.map((l) => l.textContent));
    expect(statuses).to.deep.equal(["init", "loading", "rendering", "ended"]);
    expect(log.errors).to.deep.equal([]);
  });
});
