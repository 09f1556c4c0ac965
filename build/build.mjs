// `npm run build`: everything `dist/` holds, from a clean folder. Each step stops the build when it fails.
import { execFileSync } from "node:child_process";
import { chmodSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const node = (...args) => execFileSync(process.execPath, args, { cwd: root, stdio: "inherit" });

// What an earlier build left (moved or deleted modules) must not be shipped or tested.
rmSync(join(root, "dist"), { recursive: true, force: true });
// The library, its specs, samples, benchmarks and build steps, type-checked as one program.
node(tsc, "-p", "tsconfig.json");
// Every schema the library declares, compiled ahead into standalone validators (no ajv compiler at run time).
node("dist/build/validators.js");
// The web page's browser code: type-checked on its own (DOM, no Node), then bundled into one HTML file.
node(tsc, "-p", "lib/web/browser/tsconfig.json");
node("lib/web/browser/build.mjs");
// The `proclist` command runs as an executable.
chmodSync(join(root, "dist", "lib", "cli", "main.js"), 0o755);
