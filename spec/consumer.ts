import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "../..");
const tsc = join(root, "node_modules/.bin/tsc");

/** What a new TypeScript project has: `tsc --init`'s defaults, so no decorator flags unless given. */
const BASE_OPTIONS = { target: "ES2022", module: "node20", moduleResolution: "node16", strict: true, skipLibCheck: true, types: ["node"], typeRoots: [join(root, "node_modules/@types")] };

/**
 * A consumer project in a temporary folder that imports "proclist" (this repository, built) the
 * way a user's project does, compiled with the repository's tsc. Remove it with `dispose()`.
 */
export class Consumer {
  readonly dir = mkdtempSync(join(tmpdir(), "proclist-consumer-"));

  /** `esm`: an ES module project (`"type": "module"`), where snippets may use top-level await. */
  constructor(compilerOptions: Record<string, unknown> = {}, { esm = false } = {}) {
    mkdirSync(join(this.dir, "node_modules"));
    symlinkSync(root, join(this.dir, "node_modules", "proclist"), "dir");
    // A dependency of proclist, so an installed project has it too (the README's examples import it).
    symlinkSync(join(root, "node_modules", "tsyringe"), join(this.dir, "node_modules", "tsyringe"), "dir");
    writeFileSync(join(this.dir, "package.json"), JSON.stringify({ name: "consumer", private: true, ...(esm ? { type: "module" } : {}) }));
    writeFileSync(join(this.dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...BASE_OPTIONS, ...compilerOptions }, include: ["*.ts"] }));
  }

  /** Writes `source` as `<name>.ts`. */
  write(name: string, source: string): void {
    writeFileSync(join(this.dir, `${name}.ts`), source);
  }

  /** Writes `source` as `<name>.ts` and compiles the project: the diagnostics tsc printed, "" when none. */
  compile(name: string, source: string): string {
    this.write(name, source);
    try {
      execFileSync(tsc, ["-p", this.dir], { cwd: this.dir, stdio: "pipe" });
      return "";
    } catch (error) {
      return String((error as { stdout?: Buffer }).stdout);
    }
  }

  /** Runs the compiled `<name>.js` on the Node running the specs: its stdout parsed as JSON. */
  async run(name: string): Promise<unknown> {
    return JSON.parse((await this.execute(name)).stdout);
  }

  /** Runs the compiled `<name>.js` on the Node running the specs; rejects when it fails or times out. */
  execute(name: string, env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      execFile(process.execPath, [join(this.dir, `${name}.js`)], { cwd: this.dir, timeout: 60_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${name}.js failed: ${error.message}\n${stderr}`));
        else resolve({ stdout, stderr });
      });
    });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
