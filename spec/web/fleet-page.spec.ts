import { expect } from "chai";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { serveFleet, type ServedApi } from "../../lib";
import { RedisServer } from "../../samples/redis-server";
import { InstanceProcess, startThree } from "../fleet/instances";
import { ARTIFACTS, byData, launchChromium, openPage } from "./chromium";
import { waitFor } from "../helpers";

describe("web: the page over a fleet (serveFleet)", function () {
  this.timeout(90_000);
  let browser: Browser;
  let redis: RedisServer;
  const instances: InstanceProcess[] = [];
  let api: ServedApi | undefined;

  before(async function () {
    browser = await launchChromium(this);
    redis = await RedisServer.start();
  });
  after(async () => {
    await api?.close();
    await Promise.all(instances.splice(0).map((i) => i.kill()));
    await redis?.stop();
    await browser?.close();
  });

  it("shows an instance column and the instances, up or gone since when; a gone instance's tasks dimmed with no Cancel, until it is back", async () => {
    await startThree(redis.url, "page", instances, { TTL_MS: "1500", HEARTBEAT_MS: "300" });
    api = await serveFleet({ redis: redis.url, service: "page", port: 0 });
    const { context, page, log } = await openPage(browser);
    try {
      await page.goto(api.url + "/");
      const row = `#live-rows .row${byData("id", "b/b1")}`;
      await page.waitForSelector(row);
      expect((await page.textContent(`${row} .cell.instance`))?.trim()).to.equal("b");
      expect(await page.textContent("#live-header")).to.include("instance");
      await page.waitForSelector(`#instances-list .instance.up${byData("instance", "c")}`);
      expect(await page.locator("#instances-list .instance.up").count()).to.equal(3);
      await instances[2].kill("SIGKILL");
      // The list is re-read every 1.5 s; the instance is gone once its connection dropped.
      await page.waitForSelector(`#instances-list .instance.gone${byData("instance", "c")}`, { timeout: 30_000 });
      // In the page's one time format, HH:MM:SS.mmm, as every other time it shows.
      expect(await page.textContent(`#instances-list .instance${byData("instance", "c")}`)).to.match(/gone since \d\d:\d\d:\d\d\.\d{3}$/);
      // Its task stays, marked: what c was running when it went away, with nothing to click.
      const c1 = `#live-rows .row${byData("id", "c/c1")}`;
      await page.waitForSelector(`${c1}.instance-gone`);
      expect((await page.textContent(`${c1} .cell.action`))?.trim()).to.equal("instance gone");
      expect(await page.getAttribute(`${c1} .cell.action .unreachable`, "title")).to.match(/ is gone since \d\d:\d\d:\d\d\.\d{3}:/);
      expect(await page.locator(`${c1} button.cancel`).count()).to.equal(0);
      expect(await page.locator(`${row} button.cancel`).count()).to.equal(1);
      expect(await page.locator(`${row}.instance-gone`).count()).to.equal(0);
      expect(await page.textContent("#live-count")).to.equal("6 running (1 on gone instances)");
      await page.screenshot({ path: join(ARTIFACTS, "fleet-gone.png"), fullPage: true });
      // c is back (a new process, the same name): the page takes a fresh list, without the dead task.
      instances.push(
        InstanceProcess.start({ REDIS_URL: redis.url, SERVICE: "page", INSTANCE: "c", TASKS: "c9", TTL_MS: "1500", HEARTBEAT_MS: "300" }),
      );
      await page.waitForSelector(`#live-rows .row${byData("id", "c/c9")}:not(.instance-gone)`, { timeout: 30_000 });
      await page.waitForSelector(c1, { state: "detached" });
      expect(await page.textContent("#live-count")).to.equal("6 running");
      expect(log.errors, JSON.stringify(log.errors)).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("a page loaded after an instance died shows its last tasks marked gone, with no Cancel, while its record has long to live", async () => {
    const fleet: InstanceProcess[] = [];
    await startThree(redis.url, "fresh", fleet, { TTL_MS: "60000", HEARTBEAT_MS: "1000" });
    instances.push(...fleet);
    const fresh = await serveFleet({ redis: redis.url, service: "fresh", port: 0 });
    const { context, page, log } = await openPage(browser);
    try {
      // Every task published before c dies (its list is what the page must show).
      await waitFor(
        "every task listed",
        async () => ((await (await fetch(`${fresh.url}/procs/`)).json()) as { procs: unknown[] }).procs.length === 6,
      );
      await fleet[2].kill("SIGKILL");
      // Its Redis connection dropped: the fleet calls it gone at once, not in 60 s when its record expires.
      await waitFor("c gone", async () => {
        const listed = (await (await fetch(`${fresh.url}/instances`)).json()) as { instances: { instance: string; state: string }[] };
        return listed.instances.find((i) => i.instance === "c")?.state === "gone";
      });
      await page.goto(fresh.url + "/");
      const c1 = `#live-rows .row${byData("id", "c/c1")}`;
      await page.waitForSelector(`${c1}.instance-gone`);
      expect((await page.textContent(`${c1} .cell.action`))?.trim()).to.equal("instance gone");
      expect(await page.locator(`${c1} button.cancel`).count()).to.equal(0);
      const b1 = `#live-rows .row${byData("id", "b/b1")}`;
      expect(await page.locator(`${b1} button.cancel`).count()).to.equal(1);
      await page.waitForSelector(`#instances-list .instance.gone${byData("instance", "c")}`);
      expect(await page.textContent("#live-count")).to.equal("6 running (1 on gone instances)");
      expect(log.errors, JSON.stringify(log.errors)).to.deep.equal([]);
    } finally {
      await context.close();
      await fresh.close();
    }
  });
});
