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

  it("keep the manager's and a task's internals out of the shipped types, and compile the documented API", () => {
    // What the library's own modules use to run tasks; a consumer that reaches for one does not compile.
    const managerInternals = ["begin", "end", "cancel", "rev", "hooks", "events", "blocks", "blockThresholdMs", "freeId", "fault"];
    managerInternals.push("outcomeOf", "tasks", "taskArray", "finishedTasks", "maxHistory", "maxAttrLength", "maxStatusLength");
    const taskInternals = ["owner", "booked", "end", "requestCancel", "isCancellation", "mark", "noteBlock", "slots", "forcers"];
    taskInternals.push("endWaiters", "onCancel", "waitLog", "seq");
    const internals = [
      `import { ProcessManager } from "proclist";`,
      "const manager = new ProcessManager();",
      'const task = manager.get("t")!;',
      ...managerInternals.map((name) => `void manager.${name};`),
      ...taskInternals.map((name) => `void task.${name};`),
      "",
    ].join("\n");
    const missing = [...consumer.compile("internals", internals).matchAll(/Property '(\w+)' does not exist on type '(\w+)'/g)];
    expect(missing.filter(([, , type]) => type === "ProcessManager").map(([, name]) => name)).to.deep.equal(managerInternals);
    expect(missing.filter(([, , type]) => type === "Task").map(([, name]) => name)).to.deep.equal(taskInternals);
    expect(missing).to.have.length(managerInternals.length + taskInternals.length);
    consumer.write("internals", "export {};\n");

    const documented = `import { ProcessManager, TaskSlot, type TaskExtension, type TaskHandle } from "proclist";
const manager = new ProcessManager({ keepFinished: 10 });
manager.setOptions({ maxHistory: 50 });
const handle: TaskHandle = manager.start("job-1", { attrs: { user: "ann" } });
handle.status("reading");
manager.status("job-1", "writing");
manager.checkCancel("job-1");
manager.setAttribute("job-1", "rows", 3);
manager.deleteAttribute("job-1", "rows");
const slot = new TaskSlot<string>(manager);
const extension: TaskExtension = { started: (task) => slot.set(task, task.name), ended: (task) => slot.set(task, undefined) };
const remove = manager.extend(extension);
const unsubscribe = manager.subscribe((event) => void event.type);
const task = manager.get("job-1");
if (task !== undefined) manager.enter(task, () => task.attrs);
manager.kill("job-1", "stop", "ops");
const forced: Promise<unknown> = manager.kill("job-1", "stop", { force: true, graceMs: 0 });
const killed = manager.killWhere({ name: "job" }, "storm");
manager.done("job-1");
const seen = [manager.list(), manager.history("job-1"), manager.finished(), manager.size, manager.options, manager.stats.snapshot(), killed.cancelled];
manager.run((running) => running.status("once"), { name: "once" });
remove();
unsubscribe();
export { forced, seen };
`;
    expect(consumer.compile("documented", documented)).to.equal("");
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
