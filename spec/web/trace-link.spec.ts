import { expect } from "chai";
import type { Browser } from "playwright-core";
import { ProcessManager } from "../../lib";
import { startApi } from "../http/http-helpers";
import { useOtelSdk } from "../otel/sdk";
import { byData, chromiumPerSuite, openPage } from "./chromium";

describe("web: the page's link to a task's trace, in Chromium", function () {
  this.timeout(60_000);
  const { tracer } = useOtelSdk();
  let browser: Browser;

  chromiumPerSuite((launched) => (browser = launched));

  it("links a task with a traceId to its trace through the traceUrl template, and a task without one to nothing", async () => {
    const manager = new ProcessManager({ otel: true });
    const api = await startApi({ manager, traceUrl: "https://tempo.example/trace/{traceId}?span={spanId}" });
    let link = "";
    tracer.startActiveSpan("GET /orders", (span) => {
      const { traceId, spanId } = span.spanContext();
      link = `https://tempo.example/trace/${traceId}?span=${spanId}`;
      manager.start("traced", { name: "Orders.place" });
      span.end();
    });
    manager.start("plain", { name: "Orders.list" });
    manager.status("traced", "charging the card");
    manager.status("plain", "reading the table");
    const { context, page, log } = await openPage(browser);
    try {
      await page.goto(`${api.url}/`);
      await page.click(`#live-rows .row${byData("id", "traced")} .name`);
      const anchor = await page.waitForSelector("#timeline-facts a.trace-link", { timeout: 10_000 });
      expect(await anchor.getAttribute("href")).to.equal(link);
      expect((await anchor.textContent())?.trim()).to.equal(link);
      expect(await anchor.getAttribute("target")).to.equal("_blank");
      expect(await anchor.getAttribute("rel")).to.equal("noopener noreferrer");

      // The plain task's own history is in (its status shown) before the link's absence means anything.
      await page.click(`#live-rows .row${byData("id", "plain")} .name`);
      await page.waitForFunction(
        () => [...document.querySelectorAll("#timeline-bars .step .label")].some((l) => l.textContent === "reading the table"),
        undefined,
        { timeout: 10_000 },
      );
      expect(await page.$$("#timeline-facts a.trace-link")).to.have.length(0);

      // A finished task keeps its link.
      manager.done("traced");
      const done = `#finished-rows tr${byData("id", "traced")}`;
      await page.waitForSelector(done, { timeout: 10_000 });
      await page.click(done);
      const kept = await page.waitForSelector("#timeline-facts a.trace-link", { timeout: 10_000 });
      expect(await kept.getAttribute("href")).to.equal(link);
    } finally {
      manager.done("traced");
      manager.done("plain");
      await context.close();
      await api.close();
    }
    expect(log.errors).to.deep.equal([]);
  });
});
