import { expect } from "chai";
import { Consumer } from "../consumer";

/** A consumer written for standard (TC39) decorators: ids and attributes through @Tracked's options. */
const STANDARD_SERVICE = `
import { CancelError, ProcessManager, Status, Tracked, currentTask } from "proclist";
import { container } from "tsyringe";

const pm = container.resolve(ProcessManager);
const history = (id: string) => pm.history(id).map((entry) => entry.status);
const until = async (done: () => boolean) => { while (!done()) await new Promise((r) => setTimeout(r, 5)); };

class Jobs {
  @Tracked({ id: (n: number) => "sync-" + n, attrs: (n: number) => ({ n }) })
  sync(n: number) { return currentTask()?.id + ":" + currentTask()?.name; }

  @Tracked({ id: (name: string) => name })
  async load(name: string) { await this.read(name); return name.length; }

  @Status((name: string) => "reading " + name)
  async read(name: string) { await new Promise((r) => setTimeout(r, 1)); }

  @Tracked({ id: () => "gen" })
  async *rows() { yield 1; await this.read("rows"); yield 2; }

  @Tracked({ id: () => "forever" })
  async forever() { while (true) await this.read("more"); }

  @Tracked({ id: () => "outer" })
  async outer() { await this.read("outer"); return this.inner(); }

  @Tracked({ id: () => "inner", name: "inner-step" })
  async inner() { return pm.list().find((t) => t.id === "inner")?.parent; }

  @Tracked()
  static create() { return currentTask()?.name; }
}

class MoreJobs extends Jobs {}

(async () => {
  const jobs = new MoreJobs();
  const sync = jobs.sync(7);
  const syncAttrs = pm.finished().find((t) => t.id === "sync-7")?.attrs;
  const loaded = await jobs.load("orders");
  const rows: number[] = [];
  for await (const row of jobs.rows()) rows.push(row);
  const running = jobs.forever().catch((error: unknown) => error);
  await until(() => history("forever").length > 2);
  pm.kill("forever", "stop it");
  const killed = await running;
  const parent = await jobs.outer();
  process.stdout.write(JSON.stringify({
    sync, syncAttrs, loaded, loadHistory: history("orders"),
    rows, rowsHistory: history("gen"),
    killedIsCancel: killed instanceof CancelError, killedMessage: (killed as Error).message, foreverOutcome: pm.finished().find((t) => t.id === "forever")?.outcome,
    parent, outerHistory: history("outer"), innerName: pm.finished().find((t) => t.id === "inner")?.name,
    staticName: Jobs.create(),
  }));
})();
`;

describe("standard (TC39) decorators", function () {
  this.timeout(120_000);
  let consumer: Consumer;
  before(() => {
    consumer = new Consumer();
  });
  after(() => consumer.dispose());

  it("track sync, async and async-generator methods, @Status, kill and nesting in a project without experimentalDecorators", async () => {
    expect(consumer.compile("service", STANDARD_SERVICE)).to.equal("");
    const out = (await consumer.run("service")) as Record<string, unknown>;
    expect(out.sync).to.equal("sync-7:Jobs.sync");
    expect(out.syncAttrs).to.deep.equal({ n: 7 });
    expect(out.loaded).to.equal(6);
    expect(out.loadHistory).to.deep.equal(["init", "reading orders", "ended"]);
    expect(out.rows).to.deep.equal([1, 2]);
    expect(out.rowsHistory).to.deep.equal(["init", "reading rows", "ended"]);
    expect(out.killedIsCancel).to.equal(true);
    expect(out.killedMessage).to.contain("stop it");
    expect(out.foreverOutcome).to.equal("killed");
    expect(out.parent).to.equal("outer");
    expect(out.outerHistory).to.deep.equal(["init", "reading outer", "ended"]);
    expect(out.innerName).to.equal("inner-step");
    expect(out.staticName).to.equal("Jobs.create");
  });

  it("refuse @Attr and @TaskId at compile time, as the standard has no parameter decorators", () => {
    const diagnostics = consumer.compile(
      "params",
      `
      import { Attr, Tracked } from "proclist";
      export class Users { @Tracked() find(@Attr("user") login: string) { return login; } }
    `,
    );
    expect(diagnostics).to.match(/params\.ts.*error TS1206: Decorators are not valid here/);
  });
});
