import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Consumer, packageOf } from "./consumer";
import { readmeBlocks, type Block } from "./readme-blocks";

/**
 * The README's TypeScript blocks, so that it cannot drift from the code. A fenced block's info
 * string says what happens to it: ```ts run (compiled in a fresh ES-module project that imports
 * "proclist", with experimentalDecorators, then run: it must exit 0 with nothing on stderr),
 * ```ts run standard (the same without experimentalDecorators: standard decorators), and
 * ```ts check (compiled only: it needs a server elsewhere, or never ends). Shell blocks marked
 * ```sh run are run by .ci/readme-commands, and their shown output is checked by readme-output.spec.
 */
const blocks = readmeBlocks();
const snippets = blocks.filter((b) => b.lang === "ts");
/** Every package the snippets import, linked into the consumer projects as a user would install them. */
const imported = snippets.flatMap((b) =>
  [...b.code.matchAll(/\bfrom\s+"([^"]+)"|\bimport\s*\(\s*"([^"]+)"\s*\)|^\s*import\s+"([^"]+)"/gm)].map((m) =>
    packageOf(m[1] ?? m[2] ?? m[3]),
  ),
);
const packages = [...new Set(imported.filter((name): name is string => name !== undefined))];

describe("the README", function () {
  this.timeout(180_000);
  const projects = {
    experimental: new Consumer({ experimentalDecorators: true, emitDecoratorMetadata: true }, { esm: true, packages }),
    standard: new Consumer({}, { esm: true, packages }),
  };
  const diagnostics = { experimental: "", standard: "" };
  const projectOf = (block: Block) => (block.markers.includes("standard") ? "standard" : "experimental");
  before(() => {
    for (const block of snippets) projects[projectOf(block)].write(`readme-${block.line}`, block.code);
    // The import order the Install section asks for, and the one it warns against.
    projects.experimental.write(
      "order-proclist-first",
      'import "proclist";\nimport { container } from "tsyringe";\nconsole.log(typeof container);\n',
    );
    projects.experimental.write(
      "order-tsyringe-first",
      'import { container } from "tsyringe";\nimport "proclist";\nconsole.log(typeof container);\n',
    );
    for (const name of ["experimental", "standard"] as const) diagnostics[name] = projects[name].compile("index", "export {};\n");
  });
  after(() => Object.values(projects).forEach((project) => project.dispose()));

  it("marks every TypeScript block run or check, and every shell block run or not", () => {
    expect(snippets.filter((b) => !b.markers.includes("run") && !b.markers.includes("check")).map((b) => b.line)).to.deep.equal([]);
    expect(snippets.filter((b) => b.markers.includes("run")).length).to.be.greaterThan(0);
  });

  it("says in prose what to install and that proclist is imported before tsyringe, and that order is the one that works", async () => {
    const text = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
    const install = /^## Install\n([\s\S]*?)^## /m.exec(text)?.[1] ?? "";
    expect(install, "an ## Install section").to.not.equal("");
    const commands = blocks.filter((b) => b.lang === "sh" && install.includes(b.code)).flatMap((b) => b.code.split("\n"));
    expect(commands.filter((l) => l.startsWith("npm i ")).map((l) => l.split(/\s+/)[2])).to.deep.equal(["proclist", "tsyringe"]);
    const prose = install.replace(/```[\s\S]*?```/g, "");
    expect(prose).to.match(/Import `proclist` before `tsyringe`/);
    expect(prose).to.contain("`reflect-metadata`");
    const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { peerDependencies: object };
    for (const peer of Object.keys(manifest.peerDependencies)) expect(prose, `the optional peer ${peer}`).to.contain(`\`${peer}\``);
    expect((await projects.experimental.execute("order-proclist-first")).stdout).to.equal("object\n");
    const wrong = await projects.experimental.execute("order-tsyringe-first").then(
      () => "ran",
      (error: Error) => error.message,
    );
    expect(wrong).to.match(/reflect polyfill/);
  });

  for (const block of snippets) {
    const run = block.markers.includes("run");
    it(`${run ? "compiles and runs" : "compiles"} the ts block at line ${block.line}${block.markers.includes("standard") ? " with standard decorators" : ""}`, async () => {
      const project = projectOf(block);
      const mine = diagnostics[project].split("\n").filter((line) => line.startsWith(`readme-${block.line}.ts`));
      expect(mine, diagnostics[project]).to.deep.equal([]);
      if (!run) return;
      const { stderr } = await projects[project].execute(`readme-${block.line}`);
      expect(stderr).to.equal("");
    });
  }
});
