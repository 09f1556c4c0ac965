import { expect } from "chai";
import { CancelError, ProcessManager } from "../../lib";
import { blocked, freshManager, releaseAll, thrownBy } from "../helpers";

describe("ProcessManager", () => {
  describe(".killWhere()", () => {
    let pm: ProcessManager;
    beforeEach(() => {
      pm = freshManager();
    });
    afterEach(() => releaseAll());

    it("kills exactly the matching tasks among 1,000 live ones", async () => {
      const ended: Promise<unknown>[] = [];
      for (let i = 0; i < 1000; i++) {
        const name = i % 4 === 0 ? "GET /report" : "GET /users";
        ended.push(blocked(pm, `t${i}`, { name, attrs: { tenant: i % 3 === 0 ? "acme" : "other", shard: i % 5 } }));
      }
      const expected = Array.from({ length: 1000 }, (_, i) => i)
        .filter((i) => i % 4 === 0 && i % 3 === 0)
        .map((i) => `t${i}`);
      const result = pm.killWhere({ name: "GET /report", attrs: { tenant: "acme" } }, "report storm", "ops");
      expect(result.cancelled).to.have.members(expected).and.have.length(expected.length);
      expect(result.refused).to.deep.equal([]);
      const cancelling = pm
        .list()
        .filter((t) => t.cancelling)
        .map((t) => t.id);
      expect(cancelling).to.have.members(expected).and.have.length(expected.length);
      const error = await ended[0].catch((e: unknown) => e);
      expect(error).to.be.instanceOf(CancelError).and.have.property("reason", "report storm");
      expect(pm.finished().every((t) => t.killedBy === "ops" && expected.includes(t.id))).to.equal(true);
      expect(pm.size).to.equal(1000 - expected.length);
    });

    it("matches any of several names or statuses, and attributes as text", () => {
      blocked(pm, "a", { name: "A", statuses: ["loading"], attrs: { port: 80 } });
      blocked(pm, "b", { name: "B", statuses: ["saving"], attrs: { port: 81 } });
      blocked(pm, "c", { name: "C", statuses: ["loading"], attrs: { port: 80 } });
      expect(pm.killWhere({ name: ["A", "B"], status: "loading" }).cancelled).to.deep.equal(["a"]);
      expect(pm.killWhere({ attrs: { port: "80" } }).cancelled).to.have.members(["a", "c"]);
    });

    it("kills the matching tasks' descendants too, and lists only the matching ones", () => {
      pm.run(() => blocked(pm, "child"), { id: "parent", name: "P" }).catch(() => undefined);
      const result = pm.killWhere({ name: "P" });
      expect(result.cancelled).to.deep.equal(["parent"]);
      expect(pm.get("child")!.cancelling).to.equal(true);
    });

    it("matches on the status before any kill changes it", () => {
      pm.run(() => blocked(pm, "child", { statuses: ["busy"] }), { id: "parent", name: "P" }).catch(() => undefined);
      pm.status("parent", "busy");
      expect(pm.killWhere({ status: "busy" }).cancelled).to.have.members(["parent", "child"]);
    });

    it("lists forbidCancel tasks as refused and leaves them running", () => {
      blocked(pm, "free", { name: "N" });
      blocked(pm, "locked", { name: "N", forbidCancel: true });
      expect(pm.killWhere({ name: "N" })).to.deep.equal({ cancelled: ["free"], refused: ["locked"] });
      expect(pm.get("locked")!.cancelling).to.equal(false);
    });

    it("refuses an empty filter with a TypeError and kills nothing", () => {
      blocked(pm, "a");
      for (const empty of [{}, { attrs: {} }, { name: undefined }]) {
        expect(thrownBy(() => pm.killWhere(empty)))
          .to.be.instanceOf(TypeError)
          .and.have.property("message")
          .that.matches(/needs a filter/);
      }
      expect(pm.get("a")!.cancelling).to.equal(false);
    });

    it("refuses a malformed filter with a TypeError naming the field", () => {
      expect(() => pm.killWhere({ nmae: "x" } as never)).to.throw(TypeError, /"nmae"/);
      expect(() => pm.killWhere({ attrs: { port: 80 } } as never)).to.throw(TypeError, /attrs\.port/);
    });
  });
});
