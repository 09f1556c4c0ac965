import { expect } from "chai";
import { CancelError, CancelForbiddenError, DuplicateTaskError, ProcessManager, TaskNotFoundError } from "../../lib";
import { freshManager, statuses, thrownBy } from "../helpers";

describe("ProcessManager", () => {
  describe(".start()", () => {
    it("registers a live task whose history begins with init", () => {
      const pm = freshManager();
      pm.start("a", { attrs: { method: "GET" } });
      const [info] = pm.list();
      expect(info).to.include({ id: "a", name: "a", status: "init", cancelling: false });
      expect(info.attrs).to.deep.equal({ method: "GET" });
      expect(info.procTime).to.equal(info.statusTime);
      expect(statuses(pm, "a")).to.deep.equal(["init"]);
    });

    it("copies the attributes it is given, so the caller's object is not shared", () => {
      const pm = freshManager();
      const attrs = { user: "ann" };
      pm.start("a", { attrs });
      attrs.user = "bob";
      expect(pm.list()[0].attrs).to.deep.equal({ user: "ann" });
    });

    it("refuses a second live task with the same id instead of replacing the first", () => {
      const pm = freshManager();
      pm.start("a");
      pm.status("a", "working");
      const error = thrownBy(() => pm.start("a"));
      expect(error).to.be.instanceOf(DuplicateTaskError).and.have.property("id", "a");
      expect(statuses(pm, "a")).to.deep.equal(["init", "working"]);
    });

    it("accepts the id again once the first task is done", () => {
      const pm = freshManager();
      pm.start("a");
      pm.done("a");
      pm.start("a");
      expect(pm.list().map((t) => t.id)).to.deep.equal(["a"]);
    });

    it("rejects bad ids and options with a TypeError naming them", () => {
      const pm = freshManager();
      expect(() => pm.start("")).to.throw(TypeError, /task id ""/);
      expect(() => pm.start(42 as unknown as string)).to.throw(TypeError, /task id 42/);
      expect(() => pm.start("a", { forbidCancel: "yes" } as never)).to.throw(TypeError, /"forbidCancel" "yes"/);
      expect(() => pm.start("a", { colour: 1 } as never)).to.throw(TypeError, /unknown task option "colour"/);
      expect(pm.list()).to.deep.equal([]);
    });
  });

  describe(".status()", () => {
    it("appends entries in order with sub-millisecond timestamps", () => {
      const pm = freshManager();
      pm.start("a");
      for (let i = 0; i < 20; i++) pm.status("a", `step ${i}`);
      const history = pm.history("a");
      expect(history.map((e) => e.status)).to.deep.equal(["init", ...Array.from({ length: 20 }, (_, i) => `step ${i}`)]);
      for (let i = 1; i < history.length; i++) expect(history[i].ts).to.be.at.least(history[i - 1].ts);
      // 21 entries written back to back take far less than a millisecond each: whole-ms clocks would tie.
      expect(new Set(history.map((e) => e.ts)).size).to.be.greaterThan(10);
      expect(history.some((e) => !Number.isInteger(e.ts))).to.equal(true);
    });

    it("ignores unknown ids, as the original does", () => {
      const pm = freshManager();
      expect(() => pm.status("nope", "x")).not.to.throw();
      expect(() => pm.setAttribute("nope", "k", 1)).not.to.throw();
      expect(() => pm.deleteAttribute("nope", "k")).not.to.throw();
      expect(() => pm.checkCancel("nope")).not.to.throw();
      expect(() => pm.done("nope")).not.to.throw();
    });

    it("records the status, then throws CancelError while a cancel is pending", () => {
      const pm = freshManager();
      pm.start("a");
      pm.kill("a", "stop");
      const error = thrownBy(() => pm.status("a", "still going"));
      expect(error).to.be.instanceOf(CancelError).and.include({ id: "a", reason: "stop" });
      expect(statuses(pm, "a")).to.deep.equal(["init", "[cancel request: stop]", "still going"]);
    });
  });

  describe("status length", () => {
    it("cuts status texts past maxStatusLength", () => {
      const pm = freshManager({ maxStatusLength: 5 });
      pm.start("a");
      pm.status("a", "abcdefghij");
      pm.status("a", "short");
      expect(statuses(pm, "a")).to.deep.equal(["init", "abcde…", "short"]);
    });
  });

  describe(".checkCancel()", () => {
    it("throws CancelError once killed and records nothing", () => {
      const pm = freshManager();
      pm.start("a");
      expect(() => pm.checkCancel("a")).not.to.throw();
      pm.kill("a");
      expect(() => pm.checkCancel("a")).to.throw(CancelError);
      expect(statuses(pm, "a")).to.deep.equal(["init", "[cancel request]"]);
    });
  });

  describe(".setAttribute() / .deleteAttribute()", () => {
    it("changes one attribute of a live task", () => {
      const pm = freshManager();
      pm.start("a", { attrs: { method: "GET" } });
      pm.setAttribute("a", "user", "ann");
      pm.setAttribute("a", "rows", 3);
      pm.deleteAttribute("a", "method");
      expect(pm.list()[0].attrs).to.deep.equal({ user: "ann", rows: 3 });
    });

    it("cuts string values past maxAttrLength", () => {
      const pm = freshManager({ maxAttrLength: 8 });
      pm.start("a", { attrs: { uri: "/a/very/long/path" } });
      pm.setAttribute("a", "body", "x".repeat(10_000));
      const { attrs } = pm.list()[0];
      expect(attrs.uri).to.equal("/a/very/…");
      expect(attrs.body).to.equal("xxxxxxxx…");
    });
  });

  describe(".kill()", () => {
    it("answers TaskNotFoundError for an unknown id", () => {
      const error = thrownBy(() => freshManager().kill("ghost"));
      expect(error).to.be.instanceOf(TaskNotFoundError).and.have.property("id", "ghost");
    });

    it("answers CancelForbiddenError for a forbidCancel task, which keeps running", () => {
      const pm = freshManager();
      pm.start("a", { forbidCancel: true });
      expect(thrownBy(() => pm.kill("a", "please"))).to.be.instanceOf(CancelForbiddenError);
      expect(() => pm.status("a", "working")).not.to.throw();
      expect(pm.list()[0]).to.include({ cancelling: false, status: "working" });
    });

    it("appends the cancel request once however often it is asked", () => {
      const pm = freshManager();
      pm.start("a");
      pm.kill("a", "first");
      pm.kill("a", "second");
      pm.kill("a");
      expect(statuses(pm, "a")).to.deep.equal(["init", "[cancel request: first]"]);
      expect(pm.list()[0].cancelling).to.equal(true);
    });

    it("records who asked", () => {
      const pm = freshManager();
      pm.start("a");
      pm.kill("a", "why", "127.0.0.1 (ops)");
      pm.done("a", pm.get("a")!.cancel);
      expect(pm.finished()[0]).to.include({ outcome: "killed", killedBy: "127.0.0.1 (ops)" });
    });
  });

  describe(".done()", () => {
    it("records ended, killed, killed: message and aborted", () => {
      const pm = freshManager();
      for (const id of ["ok", "k", "km", "bad"]) pm.start(id);
      pm.kill("k");
      pm.kill("km", "too slow");
      pm.done("ok");
      pm.done(
        "k",
        thrownBy(() => pm.checkCancel("k")),
      );
      pm.done(
        "km",
        thrownBy(() => pm.status("km", "last words")),
      );
      pm.done("bad", new Error("disk full"));
      expect(statuses(pm, "ok")).to.deep.equal(["init", "ended"]);
      expect(statuses(pm, "k")).to.deep.equal(["init", "[cancel request]", "killed"]);
      expect(statuses(pm, "km")).to.deep.equal(["init", "[cancel request: too slow]", "last words", "killed: too slow"]);
      expect(statuses(pm, "bad")).to.deep.equal(["init", "aborted"]);
      expect(pm.list()).to.deep.equal([]);
      expect(pm.finished().map((f) => [f.id, f.outcome])).to.deep.equal([
        ["ok", "ended"],
        ["k", "killed"],
        ["km", "killed"],
        ["bad", "aborted"],
      ]);
      expect(pm.finished()[3].error).to.equal("disk full");
    });

    it("cuts an aborting error's message past maxStatusLength", () => {
      const pm = freshManager({ maxStatusLength: 10 });
      pm.start("a");
      pm.done("a", new Error("x".repeat(100_000)));
      expect(pm.finished()[0].error).to.equal("xxxxxxxxxx…");
    });
  });

  describe("finished tasks", () => {
    it("keep their whole history, outcome and duration after done", () => {
      const pm = freshManager();
      pm.start("a", { name: "job" });
      pm.status("a", "working");
      pm.done("a");
      expect(pm.get("a")?.outcome).to.equal("ended");
      expect(statuses(pm, "a")).to.deep.equal(["init", "working", "ended"]);
      const [info] = pm.finished();
      expect(info).to.include({ id: "a", name: "job", outcome: "ended", status: "ended" });
      expect(info.durationMs).to.be.a("number").and.at.least(0);
      expect(info.durationMs).to.equal(info.endTime - info.procTime);
    });

    it("are bounded: the oldest is dropped and its history is then not found", () => {
      const pm = freshManager({ keepFinished: 3 });
      for (let i = 0; i < 5; i++) {
        pm.start(`t${i}`);
        pm.done(`t${i}`);
      }
      expect(pm.finished().map((f) => f.id)).to.deep.equal(["t2", "t3", "t4"]);
      expect(thrownBy(() => pm.history("t0"))).to.be.instanceOf(TaskNotFoundError);
    });

    it("are not kept at all with keepFinished 0", () => {
      const pm = freshManager({ keepFinished: 0 });
      pm.start("a");
      pm.done("a");
      expect(pm.finished()).to.deep.equal([]);
      expect(pm.get("a")).to.equal(undefined);
    });

    it("follow a keepFinished change made with setOptions", () => {
      const pm = freshManager();
      for (let i = 0; i < 5; i++) pm.run(() => i, { id: `t${i}` });
      pm.setOptions({ keepFinished: 2 });
      expect(pm.finished().map((f) => f.id)).to.deep.equal(["t3", "t4"]);
      pm.run(() => 0, { id: "t5" });
      expect(pm.finished().map((f) => f.id)).to.deep.equal(["t4", "t5"]);
    });

    it("answer history by id for the newest run of a reused id", () => {
      const pm = freshManager();
      pm.start("a");
      pm.status("a", "first run");
      pm.done("a");
      pm.start("a");
      pm.status("a", "second run");
      pm.done("a");
      expect(statuses(pm, "a")).to.deep.equal(["init", "second run", "ended"]);
    });
  });

  describe("history bound", () => {
    it("keeps the first entry and the newest ones, counting what it dropped", () => {
      const pm = freshManager({ maxHistory: 4 });
      pm.start("a");
      for (let i = 1; i <= 10; i++) pm.status("a", `s${i}`);
      expect(statuses(pm, "a")).to.deep.equal(["init", "s8", "s9", "s10"]);
      expect(pm.list()[0]).to.include({ status: "s10", droppedHistory: 7 });
      pm.done("a");
      expect(statuses(pm, "a")).to.deep.equal(["init", "s9", "s10", "ended"]);
    });

    it("holds memory flat however many statuses one task records", () => {
      const pm = freshManager({ maxHistory: 1000 });
      pm.start("a");
      for (let i = 0; i < 200_000; i++) pm.status("a", `s${i}`);
      const history = pm.history("a");
      expect(history).to.have.length(1000);
      expect(history[0].status).to.equal("init");
      expect(history[999].status).to.equal("s199999");
      expect(history[1].status).to.equal("s199001");
    });
  });

  describe(".setOptions() / options", () => {
    it("sets the defaults for new tasks only", () => {
      const pm = freshManager();
      pm.start("before");
      pm.setOptions({ forbidCancel: true });
      pm.start("after");
      expect(pm.options.forbidCancel).to.equal(true);
      expect(() => pm.kill("before")).not.to.throw();
      expect(() => pm.kill("after")).to.throw(CancelForbiddenError);
    });

    it("rejects a wrong option with a TypeError naming it and its value, changing nothing", () => {
      const pm = freshManager();
      expect(() => pm.setOptions({ maxHistory: 1 })).to.throw(TypeError, /"maxHistory" 1: must be >= 2/);
      expect(() => pm.setOptions({ keepFinished: -1 })).to.throw(TypeError, /"keepFinished" -1/);
      expect(() => pm.setOptions({ keepFinished: 2.5 })).to.throw(TypeError, /"keepFinished" 2.5: must be integer/);
      expect(() => pm.setOptions({ swallowCancel: 1 } as never)).to.throw(TypeError, /"swallowCancel" 1: must be boolean/);
      expect(() => pm.setOptions({ maxHistroy: 5 } as never)).to.throw(TypeError, /unknown option "maxHistroy"/);
      expect(pm.options).to.deep.equal(freshManager().options);
    });

    it("treats an undefined option as not given", () => {
      const pm = new ProcessManager({ keepFinished: undefined, maxHistory: 7 });
      expect(pm.options.keepFinished).to.equal(100);
      pm.setOptions({ maxHistory: undefined, forbidCancel: true });
      expect(pm.options).to.include({ maxHistory: 7, forbidCancel: true });
    });

    it("validates options given at construction", () => {
      expect(() => new ProcessManager({ maxAttrLength: 0 })).to.throw(TypeError, /"maxAttrLength" 0/);
      expect(new ProcessManager({ keepFinished: 0 }).options.keepFinished).to.equal(0);
    });
  });

  describe(".subscribe()", () => {
    it("reports start, status, attribute, kill and done events until unsubscribed", () => {
      const pm = freshManager();
      const seen: string[] = [];
      const stop = pm.subscribe((e) => seen.push(`${e.type}:${e.task.id}`));
      pm.start("a");
      pm.status("a", "x");
      pm.setAttribute("a", "k", 1);
      pm.kill("a");
      pm.done("a");
      stop();
      pm.start("b");
      expect(seen).to.deep.equal(["start:a", "status:a", "attr:a", "kill:a", "done:a"]);
    });

    it("survives a listener that throws", () => {
      const pm = freshManager();
      pm.subscribe(() => {
        throw new Error("broken monitor");
      });
      pm.start("a");
      expect(() => pm.status("a", "x")).not.to.throw();
    });
  });
});
