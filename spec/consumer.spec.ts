import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Consumer } from "./consumer";

const root = resolve(__dirname, "../..");

describe("the consumer projects of the specs", function () {
  this.timeout(60_000);
  let outside: string;
  beforeEach(() => {
    outside = mkdtempSync(join(tmpdir(), "proclist-outside-"));
  });
  afterEach(() => rmSync(outside, { recursive: true, force: true }));

  it("refuse to be made below a folder that has a node_modules, naming it", () => {
    mkdirSync(join(outside, "node_modules", "leftover"), { recursive: true });
    expect(() => new Consumer({}, { parent: outside })).to.throw(`${join(outside, "node_modules")} lies above the consumer project`);
  });

  it("resolve no package that was not linked into them", () => {
    const consumer = new Consumer();
    try {
      const diagnostics = consumer.compile(
        "index",
        `import { Registry } from "prom-client";\nexport const r: Registry | undefined = undefined;\n`,
      );
      expect(diagnostics).to.match(/index\.ts.*TS2307: Cannot find module 'prom-client'/);
      consumer.link("prom-client");
      expect(
        consumer.compile("index", `import { Registry } from "prom-client";\nexport const r: Registry | undefined = undefined;\n`),
      ).to.equal("");
    } finally {
      consumer.dispose();
    }
  });

  it("fail a compile that read a file from outside the project and this repository", () => {
    mkdirSync(join(outside, "types", "stray"), { recursive: true });
    writeFileSync(join(outside, "types", "stray", "index.d.ts"), "declare const stray: number;\n");
    const consumer = new Consumer({ types: ["node", "stray"], typeRoots: [join(root, "node_modules/@types"), join(outside, "types")] });
    try {
      expect(() => consumer.compile("index", "export {};\n")).to.throw(
        /read files from outside it and this repository:\n.*stray[/]index\.d\.ts/,
      );
    } finally {
      consumer.dispose();
    }
  });
});
