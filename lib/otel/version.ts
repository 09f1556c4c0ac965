import { readFileSync } from "node:fs";
import { join } from "node:path";

/** proclist's version, for the instrumentation scope of its spans: read once from its package.json, "unknown" when not found. */
let version: string | undefined;

export function proclistVersion(): string {
  if (version !== undefined) return version;
  try {
    // dist/lib/otel/version.js → the package root.
    version = (JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    version = "unknown";
  }
  return version;
}
