import { expect } from "chai";
import { Attr, DuplicateTaskError, ProcessManager, Status, TaskId, Tracked, TrackingError, currentTask } from "../../lib";
import { freshManager, thrownBy } from "../helpers";

class Users {
  constructor(readonly pm: ProcessManager) {}

  @Tracked()
  find(@TaskId() requestId: unknown, @Attr("user", (u: { login: string }) => u.login) user: unknown, @Attr("kept") kept: string) {
    return { id: currentTask()!.id, user, kept };
  }

  @Tracked({
    attrs: () => ({
      ok: 1,
      get broken(): never {
        throw new Error("getter");
      },
    }),
  })
  withGetter() {
    return "ran";
  }

  @Tracked({
    attrs: () => {
      throw new Error("attrs function");
    },
  })
  async withThrowingAttrs() {
    return "ran async";
  }

  @Tracked({
    id: () => {
      throw new Error("id function");
    },
  })
  withThrowingId() {
    return currentTask()!.id;
  }

  @Tracked()
  phased() {
    this.load(1);
    return "phased";
  }

  @Status((n: number) => {
    throw new Error(`no text for ${n}`);
  })
  load(n: number) {
    return n;
  }
}

describe("tracking never breaks the tracked code", () => {
  let pm: ProcessManager;
  let users: Users;
  let faults: TrackingError[];
  beforeEach(() => {
    faults = [];
    pm = freshManager({ onError: (error) => faults.push(error) });
    users = new Users(pm);
  });

  const faultOf = (id: string) => pm.get(id)!.attrs["proclist.error"] as string;

  it("runs the method when an @Attr mapper throws; the attribute is left out and the fault recorded", () => {
    const result = users.find("r1", null, "k");
    expect(result).to.deep.equal({ id: "r1", user: null, kept: "k" });
    expect(pm.get("r1")!.attrs).to.include({ kept: "k" }).and.not.have.property("user");
    expect(faultOf("r1")).to.contain('@Attr("user") of Users.find').and.contain("mapper threw").and.contain("TypeError");
    expect(faults).to.have.length(1);
    expect(faults[0]).to.be.instanceOf(TrackingError).and.include({ site: '@Attr("user") of Users.find', task: "r1" });
    expect(faults[0].cause).to.be.instanceOf(TypeError);
  });

  it("runs the method when a getter of the attrs record throws, keeping the other attributes", () => {
    expect(users.withGetter()).to.equal("ran");
    const [task] = pm.finished();
    expect(task.attrs).to.include({ ok: 1 }).and.not.have.property("broken");
    expect(task.attrs["proclist.error"]).to.contain('"broken" threw Error: getter');
  });

  it("runs an async method when its attrs function throws: it resolves, not rejects", async () => {
    expect(await users.withThrowingAttrs()).to.equal("ran async");
    expect(pm.finished()[0].attrs["proclist.error"]).to.contain("attrs option").and.contain("attrs function");
  });

  it("runs the method under a generated id when the id function throws or the @TaskId value is unusable", () => {
    const generated = users.withThrowingId();
    expect(generated).to.match(/^[0-9a-z]+$/);
    expect(faultOf(generated)).to.contain("id function");
    for (const bad of ["", ".", "..", "x".repeat(257), "\ud800", { an: "object" }]) {
      const { id } = users.find(bad, { login: "ann" }, "k");
      expect(id).to.match(/^[0-9a-z]+$/);
      expect(faultOf(id)).to.contain("is not a task id");
    }
    expect(users.find("x".repeat(256), { login: "ann" }, "k").id).to.have.length(256);
  });

  it("gives a request id a live task already has a derived id (id~2, id~3…), within the id rule", () => {
    pm.start("dup");
    expect(users.find("dup", { login: "a" }, "k").id).to.equal("dup~2");
    pm.start("dup~2");
    expect(users.find("dup", { login: "a" }, "k").id).to.equal("dup~3");
    const long = "y".repeat(256);
    pm.start(long);
    const derived = users.find(long, { login: "a" }, "k").id;
    expect(derived).to.have.length(256).and.match(/~2$/);
    expect(faultOf(derived)).to.contain("is taken by a live task");
  });

  it("keeps DuplicateTaskError for the explicit API, where the caller chose the id", () => {
    pm.start("mine");
    expect(thrownBy(() => pm.start("mine"))).to.be.instanceOf(DuplicateTaskError);
    expect(thrownBy(() => pm.run(() => 1, { id: "mine" }))).to.be.instanceOf(DuplicateTaskError);
    expect(thrownBy(() => pm.start("..")))
      .to.be.instanceOf(TypeError)
      .with.property("message")
      .that.contains('cannot be "." or ".."');
  });

  it("runs a @Status method whose text function throws, recording no status and the fault", () => {
    expect(users.phased()).to.equal("phased");
    const [task] = pm.finished();
    expect(pm.history(task.id).map((e) => e.status)).to.deep.equal(["init", "ended"]);
    expect(task.attrs["proclist.error"]).to.contain("@Status of Users.load").and.contain("no text for 1");
  });

  it("prints each faulty site once on stderr when no onError is given, and an onError that throws changes nothing", () => {
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      const quiet = new Users(freshManager());
      for (let i = 0; i < 5; i++) quiet.find(`s${i}`, null, "k");
      const throwing = new Users(
        freshManager({
          onError: () => {
            throw new Error("hook");
          },
        }),
      );
      expect(throwing.find("t", null, "k").id).to.equal("t");
    } finally {
      process.stderr.write = write;
    }
    const ours = lines.filter((line) => line.includes('@Attr("user") of Users.find'));
    expect(ours).to.have.length(1);
    expect(ours[0]).to.match(/^proclist: tracking fault/);
  });
});
