import { expect } from "chai";
import { Consumer } from "./consumer";

/** The subpath entries of package.json's `exports`, by the name a user imports. */
const SUBPATHS = ["proclist/client", "proclist/http", "proclist/requests", "proclist/fleet", "proclist/otel", "proclist/metrics"];

describe("the package's entry points, installed as npm installs them", function () {
  this.timeout(120_000);
  let consumer: Consumer;
  beforeEach(() => {
    consumer = new Consumer({ skipLibCheck: false }, { installed: true });
  });
  afterEach(() => consumer.dispose());

  it("proclist/client loads neither tsyringe, reflect-metadata, polka nor the manager", async () => {
    expect(
      consumer.compile(
        "client",
        `import { ProclistClient, TaskNotFoundError } from "proclist/client";
const client = new ProclistClient("127.0.0.1:1");
const loaded = Object.keys(require.cache);
console.log(JSON.stringify({ client: typeof client.processes, error: typeof TaskNotFoundError, loaded }));
`,
      ),
    ).to.equal("");
    const out = (await consumer.run("client")) as { client: string; error: string; loaded: string[] };
    expect(out.client).to.equal("function");
    expect(out.error).to.equal("function");
    const heavy = out.loaded.filter(
      (file) =>
        /[\\/]node_modules[\\/](tsyringe|reflect-metadata|polka|@polka|trouter)[\\/]/.test(file) ||
        /[\\/]dist[\\/]lib[\\/](core[\\/]manager|decorators|http)[\\/.]/.test(file),
    );
    expect(heavy).to.deep.equal([]);
    expect(out.loaded.some((file) => /[\\/]dist[\\/]lib[\\/]client[\\/]client\.js$/.test(file))).to.equal(true);
  });

  it("compile in a project with skipLibCheck: false and without @types/polka, ioredis, prom-client or @opentelemetry/api, from every entry", () => {
    const source = [
      `import { ProcessManager, Tracked, serve, ProclistClient, joinFleet, registerMetrics, enableOtel } from "proclist";`,
      ...SUBPATHS.map((path, i) => `import * as entry${i} from "${path}";`),
      `export const used = [ProcessManager, Tracked, serve, ProclistClient, joinFleet, registerMetrics, enableOtel, ${SUBPATHS.map((_, i) => `entry${i}`).join(", ")}];`,
      `export type Filters = [import("proclist").TaskFilter, import("proclist/client").TaskFilter];`,
      "",
    ].join("\n");
    expect(consumer.compile("index", source)).to.equal("");
  });

  it("give the same values from a subpath entry as from the root, for every name they share", async () => {
    const source = [
      `const root = require("proclist");`,
      `const entries = { ${SUBPATHS.map((path) => `${JSON.stringify(path)}: require(${JSON.stringify(path)})`).join(", ")} };`,
      `const differ: string[] = [];`,
      `let names = 0;`,
      `for (const [path, entry] of Object.entries(entries) as [string, Record<string, unknown>][]) {`,
      `  for (const name of Object.keys(entry)) { names++; if (root[name] !== entry[name]) differ.push(path + " " + name); }`,
      `}`,
      `console.log(JSON.stringify({ names, differ }));`,
      "",
    ].join("\n");
    expect(consumer.compile("same", `declare const require: (id: string) => any;\n${source}`)).to.equal("");
    const out = (await consumer.run("same")) as { names: number; differ: string[] };
    expect(out.differ).to.deep.equal([]);
    expect(out.names).to.be.greaterThan(20);
  });

  it("refuse deep imports of files the package does not export", async () => {
    expect(
      consumer.compile(
        "deep",
        `declare const require: (id: string) => unknown;\nlet code = "";\ntry { require("proclist/dist/lib/core/manager"); } catch (error) { code = (error as { code?: string }).code ?? ""; }\nconsole.log(JSON.stringify({ code }));\n`,
      ),
    ).to.equal("");
    expect(await consumer.run("deep")).to.deep.equal({ code: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
  });
});
