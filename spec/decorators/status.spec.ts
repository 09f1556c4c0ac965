import { expect } from "chai";
import { CancelError, ProcessManager, Status, Tracked } from "../../lib";
import { freshManager, rejectionOf, statuses, thrownBy } from "../helpers";

class Pipeline {
  constructor(readonly pm: ProcessManager) {}

  @Status("reading")
  read(): string {
    return "data";
  }

  @Status((table: string, rows: number) => `writing ${rows} rows to ${table}`)
  async write(table: string, rows: number): Promise<number> {
    return rows;
  }

  @Tracked()
  run(id: string) {
    this.read();
    return this.write("users", 3);
  }
}

describe("@Status", () => {
  let pm: ProcessManager;
  let pipeline: Pipeline;
  beforeEach(() => {
    pm = freshManager();
    pipeline = new Pipeline(pm);
  });

  it("appends its text, or the text computed from the arguments, at entry", async () => {
    await pipeline.run("x");
    expect(pm.finished()[0].status).to.equal("ended");
    const [finished] = pm.finishedTasks();
    expect(statuses(pm, finished.id)).to.deep.equal(["init", "reading", "writing 3 rows to users", "ended"]);
  });

  it("does nothing outside a task, and the method still runs", async () => {
    expect(pipeline.read()).to.equal("data");
    expect(await pipeline.write("t", 2)).to.equal(2);
    expect(pm.finished()).to.deep.equal([]);
  });

  it("is a cancellation point: a killed task's sync phase throws, an async phase rejects", async () => {
    class Killable {
      constructor(readonly pm: ProcessManager) {}
      @Tracked()
      sync() {
        pm.kill(pm.list()[0].id, "now");
        return pipeline.read();
      }
      @Tracked()
      async later() {
        pm.kill(pm.list()[0].id);
        const phase = pipeline.write("t", 1);
        expect(phase).to.be.instanceOf(Promise);
        return phase;
      }
    }
    const killable = new Killable(pm);
    expect(thrownBy(() => killable.sync())).to.be.instanceOf(CancelError);
    expect(await rejectionOf(killable.later())).to.be.instanceOf(CancelError);
    expect(pm.finished().map((f) => f.status)).to.deep.equal(["killed: now", "killed"]);
  });

  it("rejects a text that is neither a string nor a function", () => {
    expect(() => Status(42 as never)).to.throw(TypeError, /@Status takes a string or a function/);
  });
});
