import { execFile, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";

const root = resolve(__dirname, "../..");
const tsc = join(root, "node_modules/.bin/tsc");

/** What a new TypeScript project has: `tsc --init`'s defaults, so no decorator flags unless given. */
const BASE_OPTIONS = {
  target: "ES2022",
  module: "node20",
  moduleResolution: "node16",
  strict: true,
  skipLibCheck: true,
  types: ["node"],
  typeRoots: [join(root, "node_modules/@types")],
};

/**
 * The `node_modules` folders that a module lookup starting in `dir` would walk into above `dir`
 * itself. Node and TypeScript resolve a bare import by walking up from the importing file, so a
 * folder left in /tmp or / by something else would make a consumer project find packages it never
 * installed: it passes here and fails on a fresh machine.
 */
export function modulesAbove(dir: string): string[] {
  const found: string[] = [];
  for (let parent = dirname(realpathSync(dir)); ; parent = dirname(parent)) {
    if (existsSync(join(parent, "node_modules"))) found.push(join(parent, "node_modules"));
    if (dirname(parent) === parent) return found;
  }
}

/** Throws when a lookup from `dir` could resolve a package from outside `dir` (see modulesAbove). */
export function assertSealed(dir: string): void {
  const leftovers = modulesAbove(dir);
  if (leftovers.length > 0) {
    throw new Error(
      `${leftovers.join(", ")} ${leftovers.length === 1 ? "lies" : "lie"} above the consumer project ${dir}: its imports could resolve there and nowhere on a fresh machine. Remove ${leftovers.length === 1 ? "it" : "them"}, or point TMPDIR at an empty folder.`,
    );
  }
}

/** The package name of a bare import specifier (`@scope/name/sub` → `@scope/name`), or undefined for `node:`, relative and absolute ones. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:")) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/**
 * A consumer project in a temporary folder that imports "proclist" (this repository, built) the
 * way a user's project does, compiled with the repository's tsc. Its `node_modules` holds links to
 * `proclist`, `tsyringe` and the `packages` it is given, nothing else: a package its code imports
 * and nobody linked fails to resolve, as it would for a user who did not install it. The folder
 * is checked to have no `node_modules` above it, and every file a compile read is checked to come
 * from the project, this repository or its `node_modules`. Remove it with `dispose()`.
 */
export class Consumer {
  readonly dir: string;

  /**
   * `esm`: an ES module project (`"type": "module"`), where snippets may use top-level await. `parent`: where to make the folder (the OS temp folder).
   * `installed`: proclist as npm installs it, the files it ships copied (not a link to this repository, whose
   * node_modules holds its devDependencies) and its dependencies beside it without their `@types/`.
   */
  constructor(
    compilerOptions: Record<string, unknown> = {},
    { esm = false, packages = [] as string[], parent = tmpdir(), installed = false } = {},
  ) {
    this.dir = mkdtempSync(join(parent, "proclist-consumer-"));
    assertSealed(this.dir);
    mkdirSync(join(this.dir, "node_modules"));
    if (installed) this.install();
    else symlinkSync(root, join(this.dir, "node_modules", "proclist"), "dir");
    // A dependency of proclist, so an installed project has it too (the README's examples import it).
    this.link("tsyringe", ...packages);
    writeFileSync(join(this.dir, "package.json"), JSON.stringify({ name: "consumer", private: true, ...(esm ? { type: "module" } : {}) }));
    writeFileSync(
      join(this.dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { ...BASE_OPTIONS, ...compilerOptions }, include: ["*.ts"] }),
    );
  }

  /**
   * Links packages of this repository's `node_modules` into the project's, as a user would install
   * them: each with its `@types/` package where this repository has one (polka's types live apart).
   */
  link(...packages: string[]): void {
    const typings = packages
      .map((name) => `@types/${name.replace(/^@(.*)\//, "$1__")}`)
      .filter((name) => existsSync(join(root, "node_modules", name)));
    for (const name of new Set([...packages, ...typings])) {
      if (name === "proclist" || existsSync(join(this.dir, "node_modules", name))) continue;
      const source = join(root, "node_modules", name);
      if (!existsSync(source))
        throw new Error(`the consumer project imports ${name}, which is not in this repository's node_modules: add it to devDependencies`);
      mkdirSync(dirname(join(this.dir, "node_modules", name)), { recursive: true });
      symlinkSync(source, join(this.dir, "node_modules", name), "dir");
    }
  }

  /** Copies the files proclist ships (package.json's `files`) and links its dependencies, as `npm install proclist` leaves them. */
  private install(): void {
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      files: string[];
      dependencies: Record<string, string>;
    };
    const target = join(this.dir, "node_modules", "proclist");
    for (const file of ["package.json", ...manifest.files]) cpSync(join(root, file), join(target, file), { recursive: true });
    for (const name of Object.keys(manifest.dependencies)) {
      mkdirSync(dirname(join(this.dir, "node_modules", name)), { recursive: true });
      symlinkSync(join(root, "node_modules", name), join(this.dir, "node_modules", name), "dir");
    }
  }

  /** Writes `source` as `<name>.ts`. */
  write(name: string, source: string): void {
    writeFileSync(join(this.dir, `${name}.ts`), source);
  }

  /**
   * Writes `source` as `<name>.ts` and compiles the project: the diagnostics tsc printed, "" when
   * none. Throws when the compile read a file from outside the project and this repository.
   */
  compile(name: string, source: string): string {
    this.write(name, source);
    let out: string;
    try {
      out = execFileSync(tsc, ["-p", this.dir, "--listFiles"], { cwd: this.dir, stdio: "pipe" }).toString();
    } catch (error) {
      out = String((error as { stdout?: Buffer }).stdout);
    }
    const diagnostics: string[] = [];
    const outside: string[] = [];
    const inside = [this.dir, realpathSync(this.dir), root, realpathSync(root)].map((d) => d + sep);
    for (const line of out.split("\n")) {
      if (!line.startsWith("/")) diagnostics.push(line);
      else if (!inside.some((d) => line.startsWith(d))) outside.push(line);
    }
    if (outside.length > 0)
      throw new Error(`the consumer project's compile read files from outside it and this repository:\n${outside.join("\n")}`);
    return diagnostics.join("\n").trim() === "" ? "" : diagnostics.join("\n");
  }

  /** Runs the compiled `<name>.js` on the Node running the specs: its stdout parsed as JSON. */
  async run(name: string): Promise<unknown> {
    return JSON.parse((await this.execute(name)).stdout);
  }

  /**
   * Runs the compiled `<name>.js` on the Node running the specs; rejects when it fails or times
   * out. NODE_PATH is cleared, so only the project's own `node_modules` resolves its imports.
   */
  execute(name: string, env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
    assertSealed(this.dir);
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [join(this.dir, `${name}.js`)],
        { cwd: this.dir, timeout: 60_000, env: { ...process.env, NODE_PATH: "", ...env } },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`${name}.js failed: ${error.message}\n${stderr}`));
          else resolve({ stdout, stderr });
        },
      );
    });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
