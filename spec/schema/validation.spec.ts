import { expect } from "chai";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { compile } from "../../lib/schema/validation";

const run = promisify(execFile);
const lib = join(__dirname, "..", "..", "lib");

describe("schema validation", () => {
  it("compiles no schema in a process that imports proclist, decorates, validates options and serves", async () => {
    const script = `
      const { ProcessManager, Tracked, createApp, serve } = require(${JSON.stringify(lib)});
      class Jobs { work() { return 1; } }
      Tracked({ name: "jobs.work" })(Jobs.prototype, "work", Object.getOwnPropertyDescriptor(Jobs.prototype, "work"));
      const manager = new ProcessManager({ keepFinished: 5 });
      createApp({ manager });
      serve({ port: 0, manager }).then(async (api) => {
        await fetch(api.url + "/procs/?name=x");
        await api.close();
        const ajv = Object.keys(require.cache).filter((file) => /node_modules[\\\\/]ajv[\\\\/]/.test(file));
        console.log(JSON.stringify({ ran: new Jobs().work(), ajv }));
      });`;
    const out = JSON.parse((await run(process.execPath, ["-e", script])).stdout) as { ran: number; ajv: string[] };
    expect(out.ran).to.equal(1);
    // Only ajv's small runtime helpers, which the generated code requires; never its compiler.
    expect(out.ajv.filter((file) => !/ajv[\\/]dist[\\/]runtime[\\/]/.test(file))).to.deep.equal([]);
  });

  it("has build-time code for every schema the package's modules declare", () => {
    const generated = require(join(lib, "schema", "validators.generated.js")) as { byJson: Record<string, string> };
    const { registeredSchemas } = require(join(lib, "schema", "validation.js")) as typeof import("../../lib/schema/validation");
    for (const file of ["index", "cli/program", "cli/connect", "http/inputs/checks", "wire/schemas", "client/client"])
      require(join(lib, file));
    const missing = [...registeredSchemas().keys()].filter((json) => generated.byJson[json] === undefined);
    expect(missing).to.deep.equal([]);
  });

  it("compiles a schema the build did not see on first use, and reports errors as ajv does", () => {
    const validate = compile({
      type: "object",
      required: ["only-in-this-spec"],
      properties: { "only-in-this-spec": {}, n: { type: "integer" } },
    });
    expect(validate({ "only-in-this-spec": 1, n: 2 })).to.equal(true);
    expect(validate({ n: 2 })).to.equal(false);
    expect(validate.errors?.[0]?.keyword).to.equal("required");
  });

  it("keeps the isFunction keyword in build-time code: options taking functions refuse other values", async () => {
    const { Tracked } = require(lib) as typeof import("../../lib");
    expect(() => Tracked({ id: "not a function" as never })).to.throw(
      TypeError,
      'invalid @Tracked option "id" "not a function": must be a function',
    );
  });
});
