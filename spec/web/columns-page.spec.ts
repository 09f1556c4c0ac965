import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { joinFleet, ProcessManager, serveFleet, type FleetMembership, type ServedApi } from "../../lib";
import { RedisServer } from "../../samples/redis-server";
import { byData, chromiumPerSuite } from "./chromium";

/** What each cell of the running table shows at a width, and whether its text fits the cell. */
interface Cell {
  key: string;
  text: string;
  width: number;
  cut: boolean;
}

describe("web: the running table's columns sized by content and cut where the text tells tasks apart", function () {
  this.timeout(90_000);
  let browser: Browser;
  let redis: RedisServer;
  let api: ServedApi;
  const members: FleetMembership[] = [];

  chromiumPerSuite((launched) => (browser = launched));

  before(async () => {
    redis = await RedisServer.start();
    // A fleet of two instances whose ids share their start: sample-1/1 … sample-2/4.
    for (const instance of ["sample-1", "sample-2"]) {
      const manager = new ProcessManager();
      members.push(await joinFleet({ redis: redis.url, service: "cols", instance, manager, publishMs: 20 }));
      for (const id of ["1", "2", "3", "4"]) {
        manager
          .start(id, { name: "GET /orders/:id", attrs: { method: "GET", uri: `/orders/${id}`, host: "10.0.4.17:51234" } })
          .status("querying");
      }
    }
    api = await serveFleet({ redis: redis.url, service: "cols", port: 0 });
  });

  after(async () => {
    await api?.close();
    for (const member of members.splice(0)) await member.leave();
    await redis?.stop();
  });

  async function open(width: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${api.url}/`);
    await page.waitForSelector(`#live-rows .row${byData("id", "sample-2/4")}`, { timeout: 10_000 });
    await page.waitForSelector(`#live-rows .row${byData("id", "sample-1/1")}`, { timeout: 10_000 });
    return page;
  }

  async function cells(page: Page): Promise<Cell[][]> {
    // Whether a cell's text is cut: a copy of the cell laid out as wide as its text is wider than
    // it (an ellipsis cut leaves the cell's scrollWidth at its width).
    return page.$$eval("#live-rows .row", (rows) =>
      rows.map((row) =>
        [...row.querySelectorAll<HTMLElement>(":scope > .cell")].map((c) => {
          const probe = c.cloneNode(true) as HTMLElement;
          probe.style.cssText = "position: absolute; visibility: hidden; width: auto; max-width: none";
          row.append(probe);
          const needs = probe.getBoundingClientRect().width;
          probe.remove();
          const width = c.getBoundingClientRect().width;
          return { key: c.classList[1], text: c.textContent ?? "", width, cut: needs > width + 0.01 };
        }),
      ),
    );
  }

  /** The width the age column needs for the widest age it writes: a copy of its cell, padding included, laid out with each. */
  async function ageNeeds(page: Page): Promise<number> {
    return page.$eval("#live-rows .row .cell.age", (cell) => {
      const probe = cell.cloneNode() as HTMLElement;
      probe.style.cssText = "position: absolute; visibility: hidden; width: auto; max-width: none";
      cell.parentElement!.append(probe);
      const widths = ["59m 59s", "23h 59m", "59.9 s", "9d 23h"].map((t) => {
        probe.textContent = t;
        return probe.getBoundingClientRect().width;
      });
      probe.remove();
      return Math.ceil(Math.max(...widths));
    });
  }

  it("at 360 px: each id shows its end (sam…-2/4), whole and told apart from the others, its full text in the tooltip", async () => {
    const page = await open(360);
    try {
      const ids = (await cells(page)).map((row) => row.find((c) => c.key === "id")!);
      expect(ids).to.have.length(8);
      for (const id of ids) expect(id.cut, `${id.text} cut at the end`).to.equal(false);
      const texts = ids.map((c) => c.text);
      expect(new Set(texts).size, texts.join(", ")).to.equal(8);
      for (const text of texts) expect(text).to.match(/-[12]\/[1-4]$/);
      expect(await page.getAttribute(`#live-rows .row${byData("id", "sample-2/4")} .cell.id`, "title")).to.equal("sample-2/4");
    } finally {
      await page.context().close();
    }
  });

  for (const width of [1280, 600, 360]) {
    it(`at ${width} px: the age column is never narrower than its widest text`, async () => {
      const page = await open(width);
      try {
        const needs = await ageNeeds(page);
        for (const row of await cells(page)) {
          const age = row.find((c) => c.key === "age")!;
          expect(age.width, `age at ${width} px`).to.be.at.least(needs);
        }
      } finally {
        await page.context().close();
      }
    });
  }

  it("at 1280 px: the id and instance columns are as wide as their text, and the attributes they leave room for are whole", async () => {
    const page = await open(1280);
    try {
      for (const row of await cells(page)) {
        for (const key of ["instance", "id", "name", "attrs"]) {
          const cell = row.find((c) => c.key === key)!;
          expect(cell.cut, `${key} "${cell.text}" cut at 1280 px`).to.equal(false);
        }
        // sample-2/4 is 10 characters of a 12 px monospace font: about 90 px with its padding, not 12rem.
        expect(row.find((c) => c.key === "id")!.width).to.be.below(120);
      }
    } finally {
      await page.context().close();
    }
  });
});
