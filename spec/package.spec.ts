import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { assertSealed } from "./consumer";

const root = resolve(__dirname, "../..");
const tsc = join(root, "node_modules/.bin/tsc");

/**
 * What a user writes in a fresh project: decorators, the container, the list, and options read
 * from the environment (possibly undefined), as the README's examples do.
 */
const consumer = `
import { Attr, ProcessManager, ProclistClient, Status, Tracked, createApp, currentTask, serve } from "proclist";
import { container } from "tsyringe";
class Greeter {
  @Tracked({ name: process.env.TASK_NAME, forbidCancel: undefined }) async greet(@Attr("who") who: string) { await this.phase(); return "hello " + who; }
  @Status("greeting") async phase() { return currentTask()?.id; }
}
(async () => {
  const pm = container.resolve(ProcessManager);
  pm.setOptions({ keepFinished: process.env.KEEP ? Number(process.env.KEEP) : undefined });
  new ProcessManager({ maxHistory: undefined }).run(() => 0, { id: process.env.ID, name: undefined, attrs: undefined });
  const greeting = await new Greeter().greet("ann");
  const [task] = pm.finished();
  if (!task) throw new Error("nothing finished");
  const env = process.env;
  createApp({ token: env.PROCLIST_TOKEN, cors: undefined, protectedMode: undefined });
  const api = await serve({ port: 0, host: env.HOST, token: env.PROCLIST_TOKEN, manager: pm });
  const client = new ProclistClient(api.url, { token: env.PROCLIST_TOKEN, timeoutMs: env.TIMEOUT ? Number(env.TIMEOUT) : undefined });
  const { procs } = await client.processes({ name: env.NAME, status: env.STATUS, attrs: undefined });
  const follow = () => client.events({ signal: undefined, id: env.ID, name: env.NAME, onConnect: undefined });
  await api.close();
  process.stdout.write(JSON.stringify({ greeting, live: procs.length, follow: typeof follow, name: task.name, attrs: task.attrs, history: pm.history(task.id).map((e) => e.status) }));
})();
`;

describe("the npm package", function () {
  this.timeout(180_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "proclist-pack-"));
    assertSealed(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("packs into a tarball that installs into a fresh TypeScript project and works", () => {
    execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", dir], { cwd: root, stdio: "pipe" });
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
    const project = join(dir, "consumer");
    execFileSync("mkdir", ["-p", project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    execFileSync("npm", ["install", "--silent", "--no-audit", "--no-fund", "--prefer-offline", join(dir, tarball)], {
      cwd: project,
      stdio: "pipe",
    });
    writeFileSync(join(project, "index.ts"), consumer);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "node20",
          moduleResolution: "node16",
          strict: true,
          // What \`tsc --init\` writes since TypeScript 5.9: users start with these on.
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          skipLibCheck: true,
          types: ["node"],
          typeRoots: [join(root, "node_modules/@types")],
        },
        files: ["index.ts"],
      }),
    );
    try {
      execFileSync(tsc, ["-p", project], { cwd: project, stdio: "pipe" });
    } catch (error) {
      throw new Error(`the consumer does not compile:\n${String((error as { stdout?: Buffer }).stdout)}`);
    }
    const out = JSON.parse(execFileSync("node", ["index.js"], { cwd: project }).toString());
    expect(out).to.deep.equal({
      greeting: "hello ann",
      live: 0,
      follow: "function",
      name: "Greeter.greet",
      attrs: { who: "ann" },
      history: ["init", "greeting", "ended"],
    });
  });

  it("ships the MIT LICENSE, the built library, and source maps that carry their sources", () => {
    const [pack] = JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
        cwd: root,
        stdio: ["ignore", "pipe", "ignore"],
      }).toString(),
    ) as [{ files: { path: string }[] }];
    const files = pack.files.map((f) => f.path);
    expect(files).to.include.members([
      "LICENSE",
      "package.json",
      "README.md",
      "dist/lib/index.js",
      "dist/lib/index.d.ts",
      "dist/lib/cli/main.js",
      "dist/lib/schema/validators.generated.js",
      "dist/lib/web/page.html",
    ]);
    expect(readFileSync(join(root, "LICENSE"), "utf8")).to.match(/^MIT License\n/);
    expect(files.filter((f) => !/^(LICENSE|package\.json|README\.md)$|^dist\/lib\//.test(f))).to.deep.equal([]);
    const maps = files.filter((f) => f.endsWith(".map"));
    expect(maps).to.not.be.empty;
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(readFileSync(join(root, map), "utf8")) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      expect(sourcesContent?.filter((text) => typeof text === "string" && text.length > 0).length, map).to.equal(sources.length);
    }
  });
});

describe("the build", () => {
  it("leaves the command's entry executable, so the bin link runs", () => {
    expect(statSync(join(root, "dist/lib/cli/main.js")).mode & 0o111).to.equal(0o111);
  });
});
