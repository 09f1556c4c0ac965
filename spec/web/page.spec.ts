import { expect } from "chai";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { acceptsGzip, loadWebPage, webPageHandler } from "../../lib/http/page";
import { listenOnLoopback } from "../helpers";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function fetchRaw(url: string, method = "GET", headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("web: the page handler", () => {
  let server: Server;
  let url: string;

  beforeEach(async () => {
    server = createServer(webPageHandler());
    url = `${(await listenOnLoopback(server)).url}/`;
  });

  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("answers HTML with a strict Content-Security-Policy and no-sniff", async () => {
    const res = await fetchRaw(url);
    expect(res.status).to.equal(200);
    expect(res.headers["content-type"]).to.equal("text/html; charset=utf-8");
    expect(res.headers["x-content-type-options"]).to.equal("nosniff");
    expect(res.headers["x-frame-options"]).to.equal("DENY");
    const csp = String(res.headers["content-security-policy"]);
    for (const directive of [
      "default-src 'none'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ]) {
      expect(csp).to.include(directive);
    }
    expect(csp).not.to.match(/unsafe-inline|unsafe-eval|\*/);
    expect(res.body.toString()).to.include("<title>proclist</title>");
  });

  it("allows by hash exactly the inline script and style the page carries", async () => {
    const res = await fetchRaw(url);
    const html = res.body.toString();
    const csp = String(res.headers["content-security-policy"]);
    const hash = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    expect(scripts).to.have.length(1);
    expect(styles).to.have.length(1);
    expect(csp).to.include(`script-src ${hash(scripts[0])};`);
    expect(csp).to.include(`style-src ${hash(styles[0])};`);
  });

  it("loads nothing from elsewhere: no src or href but data:", async () => {
    const html = (await fetchRaw(url)).body.toString();
    const refs = [...html.matchAll(/\b(?:src|href)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => m[1]);
    expect(refs.filter((r) => !r.startsWith("data:"))).to.deep.equal([]);
  });

  it("sends gzip when accepted, the same bytes once unzipped, and varies on it", async () => {
    const plain = await fetchRaw(url);
    const zipped = await fetchRaw(url, "GET", { "Accept-Encoding": "br, gzip;q=0.8" });
    expect(plain.headers["content-encoding"]).to.equal(undefined);
    expect(zipped.headers["content-encoding"]).to.equal("gzip");
    expect(zipped.headers.vary).to.equal("Accept-Encoding");
    expect(Number(zipped.headers["content-length"])).to.equal(zipped.body.length);
    expect(gunzipSync(zipped.body).equals(plain.body)).to.equal(true);
  });

  it("weighs under 100 KB gzipped, and what the README says it weighs (within 10 %)", async () => {
    const plain = await fetchRaw(url);
    const zipped = await fetchRaw(url, "GET", { "Accept-Encoding": "gzip" });
    expect(zipped.body.length).to.be.below(100 * 1024);
    const readme = readFileSync(join(__dirname, "..", "..", "..", "README.md"), "utf8");
    const [, kb, gzippedKb] = /one HTML file of (\d+) KB, (\d+) KB gzipped/.exec(readme) ?? [];
    expect(Number(kb) * 1024, "the README's size").to.be.closeTo(plain.body.length, plain.body.length / 10);
    expect(Number(gzippedKb) * 1024, "the README's gzipped size").to.be.closeTo(zipped.body.length, zipped.body.length / 10);
  });

  it("answers 304 to a matching If-None-Match", async () => {
    const first = await fetchRaw(url);
    const again = await fetchRaw(url, "GET", { "If-None-Match": String(first.headers.etag) });
    expect(again.status).to.equal(304);
    expect(again.body.length).to.equal(0);
  });

  it("answers HEAD with headers only, and other methods with 405 and Allow", async () => {
    const head = await fetchRaw(url, "HEAD");
    expect(head.status).to.equal(200);
    expect(head.body.length).to.equal(0);
    const post = await fetchRaw(url, "POST");
    expect(post.status).to.equal(405);
    expect(post.headers.allow).to.equal("GET, HEAD");
    expect(JSON.parse(post.body.toString())).to.have.property("error").that.includes("POST");
  });

  it("says how to build the page when it was never built", async () => {
    const empty = mkdtempSync(join(tmpdir(), "proclist-web-"));
    try {
      expect(() => loadWebPage(empty)).to.throw(Error, /npm run build/);
    } finally {
      rmSync(empty, { recursive: true });
    }
  });
});

describe("web: acceptsGzip()", () => {
  it("reads q-values and the wildcard", () => {
    const cases: [string | undefined, boolean][] = [
      [undefined, false],
      ["", false],
      ["gzip", true],
      ["deflate, GZIP", true],
      ["gzip;q=0", false],
      ["gzip; q=0.5", true],
      ["*", true],
      ["*;q=0", false],
      ["gzip;q=0, *", false],
      ["br", false],
    ];
    for (const [header, expected] of cases) expect(acceptsGzip(header), String(header)).to.equal(expected);
  });
});
