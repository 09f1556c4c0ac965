import { expect } from "chai";
import type { Browser } from "playwright-core";
import { call, startApi } from "../http/http-helpers";
import { byData, launchChromium, openPage } from "./chromium";

const rowOf = (id: string) => `#live-rows .row${byData("id", id)}`;

describe("web: the audit panel, in Chromium", function () {
  this.timeout(60_000);
  let browser: Browser;
  let api: Awaited<ReturnType<typeof startApi>>;

  before(async function () {
    browser = await launchChromium(this);
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    api = await startApi({
      token: {
        admin: "admin-token",
        ops: { token: "ops-token", can: ["read", "cancel", "force"] },
        viewer: { token: "viewer-token", can: ["read"] },
      },
    });
  });
  afterEach(async () => {
    for (const task of api.manager.list()) api.manager.done(task.id);
    await api.close();
  });

  /** A page at `width` px with the token typed in, live. */
  async function open(token: string, width = 1280) {
    const opened = await openPage(browser);
    await opened.page.setViewportSize({ width, height: 900 });
    await opened.page.goto(`${api.url}/`);
    await opened.page.waitForSelector("#token-dialog[open]", { timeout: 10_000 });
    await opened.page.fill("#token-input", token);
    await opened.page.press("#token-input", "Enter");
    await opened.page.waitForSelector("#connection[data-state=live]", { timeout: 10_000 });
    return opened;
  }

  it("lists kills, forced kills and refusals newest first, as text (markup in a message stays text), and adds the page's own kill", async () => {
    const never = () => new Promise<void>(() => undefined);
    for (const [id, name] of [
      ["report-1", "Report.render"],
      ["charge-1", "Billing.charge"],
      ["export-1", "Export.run"],
    ])
      api.manager.run(never, { id, name }).catch(() => undefined);
    const hostile = '<img src=x onerror="window.pwned=1">';
    const as = (token: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });
    expect(
      (await call(api, "DELETE", "/procs/report-1", { headers: as("admin-token"), body: JSON.stringify({ message: hostile }) })).status,
    ).to.equal(200);
    expect((await call(api, "DELETE", "/procs/charge-1", { headers: as("viewer-token"), body: "{}" })).status).to.equal(403);
    const forced = await call(api, "DELETE", "/procs/charge-1", {
      headers: as("ops-token"),
      body: JSON.stringify({ force: true, graceMs: 0 }),
    });
    expect(forced.status).to.equal(200);

    const { context, page, log } = await open("admin-token");
    try {
      await page.waitForSelector("#audit:not([hidden]) #audit-rows tr", { timeout: 10_000 });
      const rows = () =>
        page.$$eval("#audit-rows tr", (trs) =>
          trs.map((tr) => ({
            outcome: (tr as HTMLElement).dataset.outcome,
            cells: [...tr.querySelectorAll("td")].map((td) => td.textContent),
          })),
        );
      const entries = await rows();
      const refusal = (await call(api, "GET", "/audit", { headers: { authorization: "Bearer admin-token" } })).json.entries[1];
      expect(refusal.error)
        .to.be.a("string")
        .and.match(/cancel/);
      expect(entries.map((e) => [e.outcome, e.cells[1], e.cells[2]])).to.deep.equal([
        ["cancelled", "ops@127.0.0.1", "force charge-1 (Billing.charge) · ignored"],
        ["refused", "viewer@127.0.0.1", `kill charge-1 (Billing.charge) · ${refusal.error}`],
        ["cancelled", "admin@127.0.0.1", `kill report-1 (Report.render) “${hostile}”`],
      ]);
      for (const e of entries) expect(e.cells[0]).to.match(/^\d\d:\d\d:\d\d\.\d{3}$/);
      expect(await page.$("#audit-rows img")).to.equal(null);
      expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).to.equal(undefined);

      // A kill from the page shows in the audit once its event arrives.
      await page.click(`${rowOf("export-1")} button.cancel`);
      await page.fill("#cancel-message", "nightly overran");
      await page.click("#cancel-confirm");
      await page.waitForFunction(
        () => document.querySelector("#audit-rows tr .what")?.textContent === "kill export-1 (Export.run) “nightly overran”",
        undefined,
        {
          timeout: 10_000,
        },
      );
      expect(log.errors.filter((e) => !e.includes("401"))).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("is hidden, and /audit never asked, where the token lacks the audit right", async () => {
    api.manager.run(() => new Promise<void>(() => undefined), { id: "report-2", name: "Report.render" }).catch(() => undefined);
    const { context, page, log } = await open("viewer-token");
    try {
      // Once the rights are read the row says the token may not cancel: by then the panel has decided.
      await page.waitForSelector(`${rowOf("report-2")} .no-right`, { timeout: 10_000 });
      expect(await page.isHidden("#audit")).to.equal(true);
      expect(log.requests.filter((r) => new URL(r.url).pathname === "/audit")).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("at 360 px the panel fits the window: what was asked wraps instead of widening the card", async () => {
    api.manager
      .run(() => new Promise<void>(() => undefined), { id: "a-rather-long-task-id-for-a-narrow-screen", name: "Report.render" })
      .catch(() => undefined);
    await call(api, "DELETE", "/procs/a-rather-long-task-id-for-a-narrow-screen", {
      headers: { authorization: "Bearer admin-token", "content-type": "application/json" },
      body: JSON.stringify({ message: "a message long enough to need more than one line on a phone held upright" }),
    });
    const { context, page } = await open("admin-token", 360);
    try {
      await page.waitForSelector("#audit-rows tr", { timeout: 10_000 });
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        card: (() => {
          const box = document.querySelector("#audit .table-scroll")!;
          return box.scrollWidth - box.clientWidth;
        })(),
      }));
      expect(widths).to.deep.equal({ page: 0, card: 0 });
    } finally {
      await context.close();
    }
  });
});
