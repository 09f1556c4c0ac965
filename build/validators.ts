// Build step (`npm run build`, after tsc): compiles every schema proclist registers into
// standalone validator code, dist/lib/schema/validators.generated.js, so that no process compiles a
// schema at start-up. Loading each module of dist/lib registers its schemas (schema/validation).
import "reflect-metadata";
import { readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import standaloneCode from "ajv/dist/standalone";
import { createAjv } from "../lib/schema/ajv-instance";
import { registeredSchemas } from "../lib/schema/validation";

const LIB = join(__dirname, "..", "lib");
// The command's entry runs a command line when loaded; the page's bundle runs in browsers.
const SKIP = new Set(["cli/main.js"]);

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modules(path);
    return entry.name.endsWith(".js") && !entry.name.endsWith(".generated.js") && !SKIP.has(relative(LIB, path)) ? [path] : [];
  });
}

for (const path of modules(LIB)) require(path);

const ajv = createAjv({ code: { source: true } });
const byJson: Record<string, string> = {};
const names: Record<string, string> = {};
[...registeredSchemas()].forEach(([json, schema], i) => {
  const name = `v${i}`;
  ajv.addSchema(schema, name);
  byJson[json] = name;
  names[name] = name;
});
const code = `${standaloneCode(ajv, names)}\nexports.byJson = ${JSON.stringify(byJson)};\n`;
writeFileSync(join(LIB, "schema", "validators.generated.js"), code);
console.log(`validators: ${Object.keys(byJson).length} schemas -> dist/lib/schema/validators.generated.js (${code.length} bytes)`);
