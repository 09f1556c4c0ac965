import { expect } from "chai";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const entry = join(__dirname, "..", "..", "lib", "index.js");

/** The files under node_modules/ioredis a script has loaded. */
async function ioredisLoadedBy(script: string): Promise<string[]> {
  const loaded = JSON.parse(
    (await run(process.execPath, ["-e", `${script}; console.log(JSON.stringify(Object.keys(require.cache))); process.exit(0)`])).stdout,
  ) as string[];
  return loaded.filter((file) => /node_modules[\\/]ioredis[\\/]/.test(file));
}

describe("fleet: ioredis is an optional peer", () => {
  it("is not loaded by importing proclist", async () => {
    expect(await ioredisLoadedBy(`require(${JSON.stringify(entry)})`)).to.deep.equal([]);
  });

  it("is loaded once the fleet is asked for", async () => {
    // Port 1: nothing answers; joinFleet starts connecting (and loads ioredis) before it waits.
    const script = `const p = require(${JSON.stringify(entry)}); p.joinFleet({ redis: "redis://127.0.0.1:1", instance: "x" }).catch(() => {})`;
    expect(await ioredisLoadedBy(script)).to.not.deep.equal([]);
  });
});
