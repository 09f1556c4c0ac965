import { expect } from "chai";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { ProcessManager, ServedApi } from "../../lib";
import { startApi } from "../http/http-helpers";
import { ARTIFACTS, byData, chromiumPerSuite, type PageLog } from "./chromium";

const WIDTHS = [1280, 600, 360] as const;
const rowOf = (id: string) => `#live-rows .row${byData("id", id)}`;

/** A service caught mid-afternoon: requests with real-looking attributes in long-named phases, and some that ended. */
async function busy(manager: ProcessManager): Promise<void> {
  manager
    .start("req-7f3a", {
      name: "GET /api/orders/:id",
      attrs: {
        method: "GET",
        uri: "/api/orders/88231?expand=lines,customer,invoices",
        host: "10.0.4.17:51234",
        "user-agent": "okhttp/4.12.0",
        tenant: { id: 7, plan: "gold" },
      },
    })
    .status("cancel request: waiting for the payments gateway to answer the capture of invoice 88231");
  manager
    .start("req-9b21", { name: "POST /api/checkout", attrs: { method: "POST", uri: "/api/checkout", host: "10.0.4.22:40112" } })
    .status("querying inventory");
  manager
    .start("job-nightly", { name: "Export.run", forbidCancel: true, attrs: { table: "orders", rows: 120000 } })
    .status("writing part 3/8");
  for (const [id, how] of [
    ["done-1", "ended"],
    ["done-2", "killed"],
    ["done-3", "aborted"],
    ["done-4", "ended"],
  ] as const) {
    const task = manager.start(id, {
      name: id === "done-4" ? "Report.render" : "GET /api/orders/:id",
      attrs: { method: "GET", uri: `/api/orders/${id}` },
    });
    task.status("loading");
    task.status("rendering");
    if (how === "killed") {
      manager.kill(id, "too slow");
      manager.done(id, task.signal.reason);
    } else manager.done(id, how === "aborted" ? new Error("upstream timed out") : undefined);
  }
}

describe("web: the page as an operator's console (Chromium at 1280, 600 and 360 px)", function () {
  this.timeout(90_000);
  let browser: Browser;
  let api: ServedApi & { manager: ProcessManager };
  const contexts: BrowserContext[] = [];

  chromiumPerSuite((launched) => (browser = launched));

  beforeEach(async () => {
    api = await startApi();
    await busy(api.manager);
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    for (const task of api.manager.list()) api.manager.done(task.id);
    await api.close();
  });

  async function open(width: number, hash = ""): Promise<{ page: Page; log: PageLog }> {
    const context = await browser.newContext({ viewport: { width, height: 860 }, permissions: ["clipboard-read", "clipboard-write"] });
    contexts.push(context);
    const page = await context.newPage();
    const log: PageLog = { errors: [], requests: [] };
    page.on("pageerror", (error) => log.errors.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") log.errors.push(`console: ${message.text()}`);
    });
    page.on("request", (r) => log.requests.push({ url: r.url(), method: r.method(), authorization: r.headers().authorization }));
    await page.goto(`${api.url}/${hash}`);
    await page.waitForSelector("#connection[data-state=live]", { timeout: 10_000 }).catch((error: Error) => {
      throw new Error(`${error.message}\npage errors: ${log.errors.join("\n")}`);
    });
    await page.waitForSelector(rowOf("req-7f3a"), { timeout: 10_000 });
    return { page, log };
  }

  for (const width of WIDTHS) {
    it(`at ${width} px: no sideways overflow; id, age, status and Cancel in view; finished outcome and the stats legend shown`, async () => {
      const { page, log } = await open(width);
      await page.waitForSelector('#stats-rows [data-name="GET /api/orders/:id"] .legend li', { timeout: 10_000 });
      await page.waitForSelector(`#finished-rows tr${byData("id", "done-3")}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, "page wider than the window").to.equal(0);
      // The header is one line: the title, the server and the connection state; no Token button, as this server asks for none.
      const header = await page.$$eval(".top h1, .top #server, .top #connection", (items) =>
        items.map((e) => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2)),
      );
      expect(Math.max(...header) - Math.min(...header), `header items on one line at ${width} px`).to.be.at.most(4);
      expect(await page.isVisible("#token-button"), "a Token button on a server without tokens").to.equal(false);
      // Each search box is wide enough to show its placeholder whole.
      const placeholders = await page.$$eval("#filter, #finished-filter", (inputs) =>
        (inputs as HTMLInputElement[]).map((input) => {
          const style = getComputedStyle(input);
          const context = document.createElement("canvas").getContext("2d")!;
          context.font = `${style.fontSize} ${style.fontFamily}`;
          const room = input.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
          return { text: input.placeholder, needs: Math.ceil(context.measureText(input.placeholder).width), room: Math.floor(room) };
        }),
      );
      for (const p of placeholders) expect(p.needs, `placeholder "${p.text}" at ${width} px (room ${p.room})`).to.be.at.most(p.room);
      // Nor do the cards scroll sideways: columns are dropped instead.
      await page
        .waitForFunction(
          () => [...document.querySelectorAll(".table-scroll, .scroller")].every((b) => b.scrollWidth <= b.clientWidth),
          undefined,
          { timeout: 5000 },
        )
        .catch(async (error: Error) => {
          const boxes = await page.$$eval(".table-scroll, .scroller", (all) =>
            all.map(
              (b) =>
                `${b.parentElement!.className}: ${b.scrollWidth} > ${b.clientWidth}: ${[...b.querySelectorAll("th")].map((t) => t.textContent).join(", ")}`,
            ),
          );
          throw new Error(`a card scrolls sideways: ${boxes.join("; ")} (${error.message})`);
        });
      // Every key cell of the row lies inside the window.
      const boxes = await page.$$eval(`${rowOf("req-9b21")} > .cell`, (cells) =>
        cells.map((c) => ({ key: c.className, left: c.getBoundingClientRect().left, right: c.getBoundingClientRect().right })),
      );
      for (const key of ["id", "age", "status", "action"]) {
        const box = boxes.find((b) => b.key.split(" ").includes(key));
        expect(box, `the ${key} column at ${width} px`).to.not.equal(undefined);
        expect(box!.left).to.be.at.least(0);
        expect(box!.right).to.be.at.most(width);
      }
      const outcome = await page.$eval(`#finished-rows tr${byData("id", "done-3")} .outcome`, (e) => ({
        text: e.textContent,
        right: e.getBoundingClientRect().right,
      }));
      expect(outcome.text).to.equal("aborted");
      expect(outcome.right).to.be.at.most(width);
      // What ended and how: its name and last status, in view at every width.
      const killed = await page.$$eval(`#finished-rows tr${byData("id", "done-2")} > td`, (cells) =>
        cells.map((c) => ({ key: c.className, text: c.textContent, right: Math.round(c.getBoundingClientRect().right) })),
      );
      for (const [key, text] of [
        ["name", "GET /api/orders/:id"],
        ["status", "killed: too slow"],
      ]) {
        const cell = killed.find((c) => c.key === key);
        expect(cell?.text, `the finished table's ${key} at ${width} px: ${JSON.stringify(killed)}`).to.equal(text);
        expect(cell!.right).to.be.at.most(width);
      }
      const legend = await page.$$eval('#stats-rows [data-name="GET /api/orders/:id"] .legend li .status', (items) =>
        items.map((i) => i.textContent),
      );
      expect(legend).to.include.members(["init", "loading", "rendering"]);

      // Cancel is reachable: the button is in view and opens the dialog.
      await page.click(`${rowOf("req-9b21")} button.cancel`);
      await page.waitForSelector("#cancel-dialog[open]");
      await page.click("#cancel-keep");
      await page.waitForSelector("#cancel-dialog:not([open])", { state: "attached" });
      expect(api.manager.get("req-9b21")!.cancelling).to.equal(false);

      if (width !== 600) {
        await page.click(`${rowOf("req-7f3a")} .cell.id`);
        await page.waitForFunction(() => document.querySelectorAll("#timeline-bars .step:not(.axis)").length >= 2);
        await page.mouse.move(0, 0);
        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: join(ARTIFACTS, `console-${width}.png`), fullPage: true });
      }
      expect(log.errors).to.deep.equal([]);
    });
  }

  it("selecting a task puts it in the URL; a link opens it, live or finished; back and forward move between selections; the link can be copied", async () => {
    const odd = "order 88231/retry?#1";
    api.manager.start(odd, { name: "Retry.run" }).status("waiting");
    const { page, log } = await open(1280, `#task=${encodeURIComponent(odd)}`);
    await page.waitForFunction((id) => document.querySelector("#timeline-title")?.textContent?.startsWith(id), odd, { timeout: 5000 });
    await page.waitForSelector(`${rowOf(odd)}.selected`);

    await page.click(`${rowOf("req-9b21")} .cell.status`);
    await page.waitForFunction(() => location.hash === "#task=req-9b21");
    await page.waitForSelector(`${rowOf("req-9b21")}.selected`);
    await page.click(`#finished-rows tr${byData("id", "done-2")} .id`);
    await page.waitForFunction(() => location.hash === "#task=done-2");
    await page.waitForFunction(() => document.querySelector("#timeline-facts")?.textContent?.includes("killed"));

    await page.goBack();
    await page.waitForFunction(() => document.querySelector("#timeline-title")?.textContent?.startsWith("req-9b21"));
    await page.waitForSelector(`${rowOf("req-9b21")}.selected`);
    await page.goBack();
    await page.waitForFunction((id) => document.querySelector("#timeline-title")?.textContent?.startsWith(id), odd);
    await page.goForward();
    await page.waitForFunction(() => document.querySelector("#timeline-title")?.textContent?.startsWith("req-9b21"));

    await page.click("#copy-link");
    await page.waitForFunction(() => document.querySelector("#notice")?.textContent?.startsWith("Link copied"));
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).to.equal(`${api.url}/#task=req-9b21`);

    // A link to a finished task, opened fresh.
    const fresh = await open(1280, "#task=done-3");
    await fresh.page.waitForFunction(
      () => document.querySelector("#timeline-facts")?.textContent?.includes("upstream timed out"),
      undefined,
      { timeout: 5000 },
    );
    // The facts and the bars are drawn apart: wait for the bars too before reading them.
    const steps = ["init", "loading", "rendering", "aborted"];
    await fresh.page
      .waitForFunction(
        (want) => [...document.querySelectorAll("#timeline-bars .step .label")].map((e) => e.textContent).join("\n") === want.join("\n"),
        steps,
      )
      .catch(() => undefined);
    expect(await fresh.page.$$eval("#timeline-bars .step .label", (l) => l.map((e) => e.textContent))).to.deep.equal(steps);
    expect([...log.errors, ...fresh.log.errors]).to.deep.equal([]);
  });

  it("with nothing selected the timeline shows the oldest running task; the selected row shows its attributes in full", async () => {
    const { page } = await open(1280);
    await page.waitForFunction(() => document.querySelector("#timeline-title")?.textContent?.startsWith("req-7f3a"), undefined, {
      timeout: 5000,
    });
    expect(await page.textContent("#timeline-hint")).to.include("oldest running");
    const long = "/api/orders/88231?expand=lines,customer,invoices";
    await page.click(`${rowOf("req-7f3a")} .cell.age`);
    await page.waitForSelector(`${rowOf("req-7f3a")}.expanded`);
    const cell = await page.$eval(`${rowOf("req-7f3a")} .cell.attrs`, (c) => ({
      text: c.textContent,
      cut: c.scrollWidth > c.clientWidth,
      height: c.getBoundingClientRect().height,
    }));
    expect(cell.text).to.include(long).and.include("user-agent=okhttp/4.12.0");
    expect(cell.cut, "the expanded attributes are cut").to.equal(false);
    // The filter still matches attributes.
    await page.fill("#filter", "okhttp");
    await page.waitForFunction(() => document.querySelector("#live-count")?.textContent === "1 of 3 running");
  });

  it("at 360 px the selected row folds in what the width dropped: name, time in status and attributes", async () => {
    const { page } = await open(360);
    expect(await page.$(`${rowOf("req-7f3a")} .cell.attrs`)).to.equal(null);
    await page.click(`${rowOf("req-7f3a")} .cell.id`);
    await page.waitForSelector(`${rowOf("req-7f3a")}.expanded .detail .chip`);
    const detail = await page.textContent(`${rowOf("req-7f3a")} .detail`);
    expect(detail).to.include("GET /api/orders/:id").and.include("uri=/api/orders/88231?expand=lines,customer,invoices");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).to.equal(0);
  });

  it("gives the timeline's bars and labels the card's width, shows a step's full text on hover and when clicked", async () => {
    const { page } = await open(1280, "#task=req-7f3a");
    const status = "cancel request: waiting for the payments gateway to answer the capture of invoice 88231";
    const step = "#timeline-bars .step:nth-child(2)";
    // Wait for the step laid out with its text: it can exist a frame before the card has its width.
    await page.waitForFunction(
      ([sel, text]) => {
        const s = document.querySelector(sel) as HTMLElement | null;
        return s !== null && s.title.includes(text) && s.querySelector(".label")!.getBoundingClientRect().width > 0;
      },
      [step, status] as const,
      { timeout: 10_000 },
    );
    const sizes = await page.$eval(step, (s) => ({
      label: s.querySelector(".label")!.getBoundingClientRect().width,
      track: s.querySelector(".track")!.getBoundingClientRect().width,
      title: (s as HTMLElement).title,
    }));
    expect(sizes.label).to.be.above(180);
    expect(sizes.track).to.be.above(180);
    expect(sizes.title).to.include(status);
    await page.click(`${step} .label`);
    await page.waitForSelector("#timeline-bars .step.open");
    const full = await page.$eval("#timeline-bars .step.open .label", (l) => ({ text: l.textContent, cut: l.scrollWidth > l.clientWidth }));
    expect(full).to.deep.equal({ text: status, cut: false });
  });

  it("the cancel dialog follows the task live, and says when it ended meanwhile instead of sending a kill", async () => {
    const { page, log } = await open(600);
    await page.click(`${rowOf("req-9b21")} button.cancel`);
    await page.waitForSelector("#cancel-dialog[open]");
    expect(await page.textContent("#cancel-facts .fact-status")).to.equal("querying inventory");
    api.manager.status("req-9b21", "charging the card");
    await page.waitForFunction(() => document.querySelector("#cancel-facts .fact-status")?.textContent === "charging the card", undefined, {
      timeout: 5000,
    });
    api.manager.done("req-9b21");
    await page.waitForSelector("#cancel-ended:not([hidden])", { timeout: 5000 });
    expect(await page.textContent("#cancel-ended")).to.match(
      /^This task ended while the dialog was open: ended at \d\d:\d\d:\d\d\.\d{3}, after .+\. There is nothing left to cancel\.$/,
    );
    expect(await page.isHidden("#cancel-confirm")).to.equal(true);
    expect(await page.textContent("#cancel-keep")).to.equal("Close");
    await page.click("#cancel-keep");
    expect(log.requests.filter((r) => r.method === "DELETE")).to.deep.equal([]);
    expect(log.errors).to.deep.equal([]);
  });

  it("the cancel dialog says the task ended when the kill answers 404 before the task's end arrived", async () => {
    const { page, log } = await open(1280);
    // The server's answer for a task that ended a moment before the kill reached it.
    await page.route(/\/procs\/req-9b21$/, (route) =>
      route.request().method() === "DELETE"
        ? route.fulfill({ status: 404, contentType: "application/json", body: '{"error":"no such task: \\"req-9b21\\""}' })
        : route.continue(),
    );
    await page.click(`${rowOf("req-9b21")} button.cancel`);
    await page.click("#cancel-confirm");
    await page.waitForSelector("#cancel-ended:not([hidden])", { timeout: 5000 });
    expect(await page.textContent("#cancel-ended")).to.equal("This task ended while the dialog was open. There is nothing left to cancel.");
    expect(await page.isHidden("#cancel-error")).to.equal(true);
    expect(log.requests.filter((r) => r.method === "DELETE")).to.have.length(1);
    expect(log.errors.filter((e) => !e.includes("status of 404"))).to.deep.equal([]);
  });

  it("filters finished tasks by outcome and by a search, and says how far back the server keeps them", async () => {
    const { page } = await open(1280);
    await page.waitForFunction(() => document.querySelectorAll("#finished-rows tr").length === 4);
    expect(await page.textContent("#finished-count")).to.equal(`4 kept · the server keeps the last ${api.manager.options.keepFinished}`);
    await page.selectOption("#finished-outcome", "killed");
    await page.waitForFunction(() => document.querySelectorAll("#finished-rows tr").length === 1);
    expect(await page.$$eval("#finished-rows tr", (rows) => rows.map((r) => (r as HTMLElement).dataset.id))).to.deep.equal(["done-2"]);
    await page.selectOption("#finished-outcome", "");
    await page.fill("#finished-filter", "report");
    await page.waitForFunction(() => document.querySelectorAll("#finished-rows tr").length === 1);
    expect(await page.$$eval("#finished-rows tr", (rows) => rows.map((r) => (r as HTMLElement).dataset.id))).to.deep.equal(["done-4"]);
    expect(await page.textContent("#finished-count")).to.match(/^1 of 4 kept/);
    await page.fill("#finished-filter", "upstream timed");
    await page.waitForFunction(
      () => [...document.querySelectorAll<HTMLElement>("#finished-rows tr")].map((r) => r.dataset.id).join() === "done-3",
    );
    await page.fill("#finished-filter", "nothing like it");
    await page.waitForSelector("#finished-empty:not([hidden])");
  });
});
