// Builds the web page into one self-contained HTML file, dist/lib/web/page.html, with the
// bundled script and the stylesheet inlined, and writes the Content-Security-Policy that allows
// exactly those two (by hash) beside it. No request leaves the page but to its own server.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, transform } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const source = join(root, "lib", "web", "browser");
const out = join(root, "dist", "lib", "web");
/** The page must stay under this, gzipped (the bound). */
const MAX_GZIP_BYTES = 100 * 1024;

const target = ["chrome111", "firefox113", "safari16.4"];
const script = (
  await build({
    entryPoints: [join(source, "main.ts")],
    bundle: true,
    minify: true,
    format: "iife",
    target,
    legalComments: "none",
    charset: "utf8",
    write: false,
  })
).outputFiles[0].text.trim();
const style = (await transform(readFileSync(join(source, "style.css"), "utf8"), { loader: "css", minify: true, target })).code.trim();

// Inline content must not close its own element early.
if (/<\/script/i.test(script) || /<\/style/i.test(style)) throw new Error("the bundle contains a closing tag; it cannot be inlined");

const template = readFileSync(join(source, "page.html"), "utf8");
const html = template.replace("/*STYLE*/", () => style).replace("/*SCRIPT*/", () => script);
const hash = (text) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
const csp = [
  "default-src 'none'",
  `script-src ${hash(script)}`,
  `style-src ${hash(style)}`,
  "connect-src 'self'",
  "img-src data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

const gzipBytes = gzipSync(html, { level: 9 }).length;
if (gzipBytes > MAX_GZIP_BYTES) throw new Error(`the page weighs ${gzipBytes} bytes gzipped, over the ${MAX_GZIP_BYTES} bound`);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "page.html"), html);
writeFileSync(join(out, "page.meta.json"), JSON.stringify({ csp }, null, 2) + "\n");
console.log(`web page: ${Buffer.byteLength(html)} bytes, ${gzipBytes} gzipped -> dist/lib/web/page.html`);
