import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Where Debian's `chromium` package puts the browser; PROCLIST_CHROMIUM points elsewhere. */
export const CHROMIUM_PATH = process.env.PROCLIST_CHROMIUM ?? "/usr/bin/chromium";

/** Screenshots land in the repository's artifacts/ (gitignored), for a person to look at. */
export const ARTIFACTS = join(__dirname, "..", "..", "..", "artifacts");

/** Quiet, offline, headless: no sandbox (CI runs as root), no GPU, no calls home. */
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Launches the Debian Chromium for the browser specs. Skips the suite when PROCLIST_SKIP_BROWSER=1;
 * otherwise a missing browser fails with the command that installs it.
 */
export async function launchChromium(suite: Mocha.Context): Promise<Browser> {
  if (process.env.PROCLIST_SKIP_BROWSER === "1") suite.skip();
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}, and the web page specs need it: ` +
        "run `apt-get update && apt-get install -y chromium` (as .ci/run does), " +
        "point PROCLIST_CHROMIUM at another Chromium, or set PROCLIST_SKIP_BROWSER=1 to skip these specs",
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

/** Chromium for the calling `describe`: launched before its specs (see `launchChromium`) and given to `use`, closed after them. */
export function chromiumPerSuite(use: (browser: Browser) => void): void {
  let browser: Browser | undefined;
  before(async function () {
    browser = await launchChromium(this);
    use(browser);
  });
  after(async () => {
    await browser?.close();
  });
}

/** What a page did that a spec checks at the end: script errors, CSP reports, every request. */
export interface PageLog {
  errors: string[];
  requests: { url: string; method: string; authorization: string | undefined }[];
}

/** A fresh context (own sessionStorage) and page, logging errors and requests. */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; log: PageLog }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const log: PageLog = { errors: [], requests: [] };
  page.on("pageerror", (error) => log.errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") log.errors.push(`console: ${message.text()}`);
  });
  page.on("request", (request) => {
    log.requests.push({ url: request.url(), method: request.method(), authorization: request.headers().authorization });
  });
  return { context, page, log };
}

/** A CSS attribute selector for a task id, whatever characters it holds. */
export function byData(name: string, value: string): string {
  return `[data-${name}=${JSON.stringify(value)}]`;
}
