import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { sendJsonText } from "../http/responses/respond";

/** The built web page, ready to send: bytes, the same gzipped, the policy that lets only its own script and style run. */
export interface WebPage {
  html: Buffer;
  gzip: Buffer;
  csp: string;
  etag: string;
}

/**
 * Reads the page that `npm run build` wrote to dist/lib/web (`page.html` and `page.meta.json`, made
 * by lib/web/browser/build.mjs). Throws an Error saying how to build it when it is missing.
 */
export function loadWebPage(dir: string = join(__dirname, "..", "web")): WebPage {
  let html: Buffer;
  let meta: { csp?: unknown };
  try {
    html = readFileSync(join(dir, "page.html"));
    meta = JSON.parse(readFileSync(join(dir, "page.meta.json"), "utf8")) as { csp?: unknown };
  } catch (error) {
    throw new Error(`the web page is not built (${(error as Error).message}): run \`npm run build\``);
  }
  if (typeof meta.csp !== "string") throw new Error(`${join(dir, "page.meta.json")} has no "csp" string: run \`npm run build\``);
  const etag = `"${createHash("sha256").update(html).digest("base64url").slice(0, 22)}"`;
  return { html, gzip: gzipSync(html, { level: 9 }), csp: meta.csp, etag };
}

/** Headers every answer of the page carries: it runs nothing but itself, and no other site may frame it. */
function securityHeaders(page: WebPage): Record<string, string> {
  return {
    "Content-Security-Policy": page.csp,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
  };
}

/**
 * A request handler (node:http or polka) that answers GET and HEAD with the web page: gzip when the
 * client accepts it, an ETag for cheap reloads, and a strict Content-Security-Policy. The page holds
 * no data (it fetches everything with the user's token), so it can be served without one.
 * The page is read on first use; if it was never built, the answer is a JSON 500 saying so.
 */
export function webPageHandler(page?: WebPage): (req: IncomingMessage, res: ServerResponse) => void {
  let loaded = page;
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return sendJsonText(res, 405, JSON.stringify({ error: `method ${req.method} not allowed on the web page; use GET` }), {
        allow: "GET, HEAD",
      });
    }
    try {
      loaded ??= loadWebPage();
    } catch (error) {
      return sendJsonText(res, 500, JSON.stringify({ error: (error as Error).message }));
    }
    const headers: Record<string, string> = {
      ...securityHeaders(loaded),
      "Cache-Control": "no-cache",
      ETag: loaded.etag,
      Vary: "Accept-Encoding",
    };
    if (matches(req.headers["if-none-match"], loaded.etag)) {
      res.writeHead(304, headers).end();
      return;
    }
    const gzip = acceptsGzip(req.headers["accept-encoding"]);
    const body = gzip ? loaded.gzip : loaded.html;
    headers["Content-Type"] = "text/html; charset=utf-8";
    headers["Content-Length"] = String(body.length);
    if (gzip) headers["Content-Encoding"] = "gzip";
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  };
}

/** Whether an Accept-Encoding header allows gzip (`gzip` or `*`, with a q above 0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  let star = false;
  for (const part of header.toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const allowed = q === undefined || Number(q.slice(2)) > 0;
    if (name.trim() === "gzip") return allowed;
    if (name.trim() === "*") star = allowed;
  }
  return star;
}

function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t === etag || t === `W/${etag}`;
  });
}

/**
 * The page as polka middleware for the API app: answers the app's root (`/`, also under a mount
 * prefix) and passes everything else on. It runs before the token check on purpose: the page is
 * static and holds no data; everything it shows it fetches with the token the user types in.
 */
export function webPageMiddleware(
  page?: WebPage,
): (req: IncomingMessage & { path?: string }, res: ServerResponse, next: () => void) => void {
  const handler = webPageHandler(page);
  return (req, res, next) => {
    // OPTIONS goes on to the guard, which answers preflights for every route alike.
    if (req.path === "/" && req.method !== "OPTIONS") handler(req, res);
    else next();
  };
}
