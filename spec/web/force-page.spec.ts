import { expect } from "chai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { ServeOptions } from "../../lib";
import { silentServer, waitFor } from "../helpers";
import { startApi } from "../http/http-helpers";
import { byData, launchChromium, openPage, type PageLog } from "./chromium";

const rowOf = (id: string) => `#live-rows .row${byData("id", id)}`;
/** The notice's text without the bidi isolates (U+2068, U+2069) set around the server's text: they draw nothing. */
const notice = async (page: Page) => (await page.textContent("#notice"))!.replace(/[\u2068\u2069]/g, "");

describe("web: forcing a task that does not cooperate, in Chromium", function () {
  this.timeout(60_000);
  let browser: Browser;
  let api: Awaited<ReturnType<typeof startApi>>;
  let context: BrowserContext;
  let page: Page;
  let log: PageLog;
  const silent = silentServer();

  before(async function () {
    browser = await launchChromium(this);
  });
  after(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await context?.close();
    for (const task of api.manager.list()) api.manager.done(task.id);
    await api.close();
  });

  /** A server for this spec and the page on it, live, with the token typed in when one is given. */
  async function open(options: ServeOptions = {}, token?: string): Promise<void> {
    api = await startApi(options);
    ({ context, page, log } = await openPage(browser));
    await page.goto(`${api.url}/`);
    if (token !== undefined) {
      await page.waitForSelector("#token-dialog[open]", { timeout: 10_000 });
      await page.fill("#token-input", token);
      await page.press("#token-input", "Enter");
    }
    await page.waitForSelector("#connection[data-state=live]", { timeout: 10_000 });
  }

  it("the cancel dialog's 'force it if it still runs after N s' aborts the fetch the task awaits once the grace is over, and says so", async () => {
    await open();
    const ended = api.manager.run(() => fetch(`${silent.url}/charge`).then((r) => r.text()), { id: "charge-1", name: "Payments.charge" });
    ended.catch(() => undefined);
    await page.click(`${rowOf("charge-1")} button.cancel`);
    await page.waitForSelector("#cancel-dialog[open]");
    expect(await page.isVisible("#cancel-force-row")).to.equal(true);
    expect(await page.isChecked("#cancel-force")).to.equal(false);
    expect(await page.inputValue("#cancel-grace")).to.equal("5");
    await page.check("#cancel-force");
    expect(await page.textContent("#cancel-confirm")).to.equal("Force task");
    await page.fill("#cancel-grace", "1");
    await page.fill("#cancel-message", "upstream hung");
    await page.click("#cancel-confirm");
    await page.waitForSelector('#cancel-progress:has-text("Cancel sent; forcing in 1 s if it still runs")');
    // Within the grace the task is cancelling; its Force button offers to go on at once.
    await page.waitForSelector(`${rowOf("charge-1")} button.force`, { timeout: 5000 });
    await page.waitForSelector('#notice:has-text("forced: awaited operations aborted; it ended killed")', { timeout: 15_000 });
    expect(await notice(page)).to.equal("task charge-1 still running after 1.00 s; forced: awaited operations aborted; it ended killed");
    expect(await page.isVisible("#cancel-dialog")).to.equal(false);
    await page.waitForSelector(`#finished-rows tr${byData("id", "charge-1")}`, { timeout: 5000 });
    const history = api.manager.history("charge-1").map((h) => h.status);
    expect(history).to.include("[cancel request: upstream hung]");
    expect(history.some((s) => s.startsWith("[force waits by 127.0.0.1: aborted fetch GET"))).to.equal(true, history.join("\n"));
    const [kill] = log.requests.filter((r) => r.method === "DELETE");
    expect(kill.url).to.equal(`${api.url}/procs/charge-1`);
    expect(log.errors).to.deep.equal([]);
  });

  it("a cancelled task that runs on gets a Force button; forced with nothing to take, it shows for how long it has ignored its cancel", async () => {
    await open();
    api.manager.run(() => new Promise<void>(() => undefined), { id: "spin-1", name: "Report.render" }).catch(() => undefined);
    await page.click(`${rowOf("spin-1")} button.cancel`);
    await page.click("#cancel-confirm");
    await page.waitForSelector('#notice:has-text("Cancel requested for")');
    await page.click(`${rowOf("spin-1")} button.force`, { timeout: 5000 });
    await page.waitForSelector("#cancel-dialog[open]");
    // From the Force button: the task has had its cancel, so no more grace.
    expect(await page.textContent("#cancel-title")).to.equal("Force task spin-1?");
    expect(await page.isChecked("#cancel-force")).to.equal(true);
    expect(await page.inputValue("#cancel-grace")).to.equal("0");
    expect(await page.textContent("#cancel-facts .fact-force")).to.equal("cancelled, still running");
    await page.click("#cancel-confirm");
    await page.waitForSelector('#notice:has-text("marked as ignoring its cancel")', { timeout: 10_000 });
    expect(await notice(page)).to.equal(
      "task spin-1 still running after 0.00 ms; nothing to force; it still runs: marked as ignoring its cancel",
    );
    // The row learns it from the events stream: its status says for how long, counted from the cancel, and moves on.
    const status = `${rowOf("spin-1")}.ignoring .cell.status`;
    await page.waitForSelector(`${status}:has-text("ignoring the cancel for")`, { timeout: 5000 });
    await page.waitForFunction(
      (sel) => /ignoring the cancel for \d\.\d\d s$/.test(document.querySelector(sel)?.textContent ?? ""),
      status,
      {
        timeout: 10_000,
      },
    );
    expect(await page.getAttribute(status, "title")).to.match(/^\[ignored cancel for \d/);
    expect(api.manager.get("spin-1")!.ignoringCancelSince).to.be.a("number");
    // A page opened now reads it from the list.
    const fresh = await openPage(browser);
    try {
      await fresh.page.goto(`${api.url}/`);
      await fresh.page.waitForSelector(`${status}:has-text("ignoring the cancel for")`, { timeout: 10_000 });
      await fresh.page.click(`${rowOf("spin-1")} button.force`);
      await fresh.page.waitForSelector("#cancel-dialog[open]");
      expect(await fresh.page.textContent("#cancel-facts .fact-force")).to.match(/^ignoring the cancel for /);
    } finally {
      await fresh.context.close();
    }
    expect(log.errors).to.deep.equal([]);
  });

  it("offers no force to a token without the force right: no option in the dialog, no Force button on a cancelled task", async () => {
    await open({ token: { ops: { token: "ops-token", can: ["read", "cancel:Report.*"] } } }, "ops-token");
    api.manager.run(() => new Promise<void>(() => undefined), { id: "spin-2", name: "Report.render" }).catch(() => undefined);
    api.manager.run(() => new Promise<void>(() => undefined), { id: "charge", name: "Billing.charge" }).catch(() => undefined);
    // Once the rights are read, the task the token may not cancel says so: until then everything is offered.
    await page.waitForSelector(`${rowOf("charge")} .no-right`, { timeout: 10_000 });
    await page.click(`${rowOf("spin-2")} button.cancel`);
    await page.waitForSelector("#cancel-dialog[open]");
    expect(await page.isHidden("#cancel-force-row")).to.equal(true);
    await page.click("#cancel-confirm");
    await page.waitForSelector(`${rowOf("spin-2")} .pending:has-text("cancelling…")`, { timeout: 5000 });
    expect(await page.$(`${rowOf("spin-2")} button.force`)).to.equal(null);
    const [kill] = log.requests.filter((r) => r.method === "DELETE");
    expect(kill).to.not.equal(undefined);
    // The page's first calls, before the token was typed, were refused: nothing else may be.
    expect(log.errors.filter((e) => !e.includes("401"))).to.deep.equal([]);
  });
  it("reads the token's rights again when the stream reconnects: a server restarted with the token made read-only offers no Cancel, and one given it back offers it again", async () => {
    const rights = (can: string[]): ServeOptions => ({ token: { ops: { token: "ops-token", can } } });
    await open(rights(["read", "cancel:*"]), "ops-token");
    const manager = api.manager;
    const port = Number(new URL(api.url).port);
    manager.run(() => new Promise<void>(() => undefined), { id: "job", name: "Report.render" }).catch(() => undefined);
    await page.waitForSelector(`${rowOf("job")} button.cancel`, { timeout: 10_000 });
    await api.close();
    api = await startApi({ ...rights(["read"]), manager, port });
    await page.waitForSelector(`${rowOf("job")} .no-right`, { timeout: 20_000 });
    expect(await page.$(`${rowOf("job")} button.cancel`)).to.equal(null);
    await api.close();
    api = await startApi({ ...rights(["read", "cancel:*"]), manager, port });
    await page.waitForSelector(`${rowOf("job")} button.cancel`, { timeout: 20_000 });
  });
  it("says the server did not answer, not that it refused, when the server goes away during a force's grace", async () => {
    await open();
    api.manager.run(() => new Promise<void>(() => undefined), { id: "spin-3", name: "Report.render" }).catch(() => undefined);
    await page.click(`${rowOf("spin-3")} button.cancel`);
    await page.waitForSelector("#cancel-dialog[open]");
    await page.check("#cancel-force");
    await page.fill("#cancel-grace", "60");
    await page.click("#cancel-confirm");
    await page.waitForSelector('#cancel-progress:has-text("forcing in 60 s")');
    await waitFor("the cancel to reach the task", () => api.manager.get("spin-3")?.cancelling === true);
    await api.close();
    await page.waitForSelector("#cancel-error:visible", { timeout: 20_000 });
    const said = await page.textContent("#cancel-error");
    expect(said).to.not.contain("refused");
    expect(said).to.match(/^No answer from the server \(.+\): whether the forced kill was done is not known\.$/);
  });
  it("offers no Profile button to a token without the profile right, and offers it once the token has it", async () => {
    const rights = (can: string[]): ServeOptions => ({ token: { ops: { token: "ops-token", can } } });
    await open(rights(["read"]), "ops-token");
    const manager = api.manager;
    const port = Number(new URL(api.url).port);
    await page.waitForSelector("#profile-button", { state: "hidden", timeout: 10_000 });
    await api.close();
    api = await startApi({ ...rights(["read", "profile"]), manager, port });
    await page.waitForSelector("#profile-button", { state: "visible", timeout: 20_000 });
    expect(log.requests.some((r) => r.url.includes("/procs/profile"))).to.equal(false);
  });
  it("asks for another token when the token held may not read the list (403), instead of retrying forever", async () => {
    api = await startApi({ token: { auditor: { token: "audit-token", can: ["audit"] } } });
    ({ context, page, log } = await openPage(browser));
    await page.goto(`${api.url}/`);
    await page.waitForSelector("#token-dialog[open]", { timeout: 10_000 });
    await page.fill("#token-input", "audit-token");
    await page.press("#token-input", "Enter");
    await page.waitForSelector("#connection[data-state=token]", { timeout: 10_000 });
    await page.waitForSelector("#token-dialog[open]", { timeout: 10_000 });
    expect(await page.getAttribute("#connection", "title")).to.contain("read");
  });
  it("keeps a task id's bidi override inside the id in the notice: the message after it reads in its own order", async () => {
    await open();
    const id = "job\u202eexe.txt";
    api.manager.run(() => new Promise<void>(() => undefined), { id, name: "Report.render" }).catch(() => undefined);
    await page.click(`${rowOf(id)} button.cancel`);
    await page.waitForSelector("#cancel-dialog[open]");
    await page.fill("#cancel-message", "stuck");
    await page.click("#cancel-confirm");
    await page.waitForSelector('#notice:has-text("stuck")', { timeout: 10_000 });
    // Where the id's tail and the message are drawn: carried on by the override, the message lands left of the id.
    const lefts = await page.evaluate(() => {
      const node = document.getElementById("notice")!.firstChild as Text;
      const leftOf = (word: string) => {
        const range = document.createRange();
        const at = node.data.indexOf(word);
        range.setStart(node, at);
        range.setEnd(node, at + word.length);
        return range.getBoundingClientRect().left;
      };
      return { id: leftOf("exe.txt"), message: leftOf("stuck") };
    });
    expect(lefts.message).to.be.greaterThan(lefts.id);
  });
  it("keeps a task id's bidi override inside the id in the timeline's title: the name after it reads in its own order", async () => {
    await open();
    const id = "job\u202eexe.txt";
    api.manager.run(() => new Promise<void>(() => undefined), { id, name: "Report.render" }).catch(() => undefined);
    await page.click(`${rowOf(id)} .name`);
    await page.waitForFunction(() => document.getElementById("timeline-title")!.textContent!.endsWith("Report.render"), undefined, {
      timeout: 10_000,
    });
    // Where the id's tail and the name are drawn: carried on by the override, the name lands left of the id.
    const lefts = await page.evaluate(() => {
      const leftOf = (word: string) => {
        const walker = document.createTreeWalker(document.getElementById("timeline-title")!, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode() as Text | null; node !== null; node = walker.nextNode() as Text | null) {
          const at = node.data.indexOf(word);
          if (at < 0) continue;
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + word.length);
          return range.getBoundingClientRect().left;
        }
        throw new Error(`no ${word} in the title`);
      };
      return { id: leftOf("exe.txt"), name: leftOf("Report.render") };
    });
    expect(lefts.name).to.be.greaterThan(lefts.id);
  });
});
