import { expect } from "chai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium, openPage, type PageLog } from "../web/chromium";
import { burningServer, type BurningServer } from "./burning";

describe("web: the Profile button and table, in Chromium", function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: BurningServer;
  let context: BrowserContext;
  let page: Page;
  let log: PageLog;

  before(async function () {
    browser = await launchChromium(this);
    server = await burningServer();
    ({ context, page, log } = await openPage(browser));
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  it("profiles the server for the seconds chosen and shows CPU time and share per task name, outside any task, and the busiest tasks", async () => {
    await page.goto(`http://${server.label}/`);
    await page.waitForSelector("#connection[data-state=live]", { timeout: 10_000 });
    await page.selectOption("#profile-seconds", "5");
    await page.click("#profile-button");
    expect(await page.isDisabled("#profile-button")).to.equal(true);
    await page.waitForSelector("#profile-rows tr[data-kind=name]", { timeout: 30_000 });
    const rows = await page.$$eval("#profile-rows tr", (trs) =>
      trs.map((tr) => ({
        kind: (tr as HTMLElement).dataset.kind,
        cells: [...tr.querySelectorAll("td")].map((td) => td.textContent ?? ""),
      })),
    );
    const share = (name: string) => Number(rows.find((r) => r.kind === "name" && r.cells[0] === name)?.cells[2].replace(" %", ""));
    expect(share("Burn.seventy")).to.be.within(50, 88);
    expect(share("Burn.thirty")).to.be.within(12, 45);
    expect(rows.some((r) => r.kind === "outside" && r.cells[0] === "(outside any task)")).to.equal(true);
    expect(rows.filter((r) => r.kind === "task").map((r) => r.cells[0])).to.satisfy((tasks: string[]) =>
      tasks.some((t) => /^task \S+ \(Burn\.seventy\)$/.test(t)),
    );
    expect(await page.textContent("#profile-state")).to.equal("profiled 5 s");
    expect(await page.isDisabled("#profile-button")).to.equal(false);
    expect(log.errors).to.deep.equal([]);
  });

  it("shows the event loop's delay over the last minute in the header", async () => {
    await page.goto(`http://${server.label}/`);
    await page.waitForSelector("#loop:not([hidden])", { timeout: 30_000 });
    expect(await page.textContent("#loop")).to.match(/^event loop p50 \d.* · p99 \d.* · max \d.*$/);
    expect(await page.getAttribute("#loop", "title")).to.match(/^The event loop's delay over the last minute/);
  });
});
