import { expect } from "chai";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { MAX_ATTR_DEPTH } from "../../lib/core/bound";
import { freshManager } from "../helpers";

const run = promisify(execFile);
const FIXTURE = join(__dirname, "fixtures", "retained-heap.js");
const MB = 1 << 20;

/** Heap bytes a case of the fixture leaves reachable, measured after GC in a child process. */
async function retained(name: string): Promise<{ retainedBytes: number; live: number; finished: number }> {
  const { stdout } = await run(process.execPath, ["--expose-gc", "--max-old-space-size=2048", FIXTURE, name], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout);
}

describe("bounds that bound", function () {
  this.timeout(120_000);

  describe("cut strings are copies", () => {
    // Each case passes 20 strings of 5 MB (100 MB): a cut that shared its parent kept them all.
    for (const name of ["statuses", "stringAttrs", "setAttribute", "errors", "killMessages"]) {
      it(`${name}: 100 MB passed, cut to 1 KiB each, keep well under 10 MB reachable`, async () => {
        const result = await retained(name);
        expect(result.retainedBytes).to.be.below(10 * MB);
      });
    }

    it("cuts at the bound with a mark, never splitting a surrogate pair", () => {
      const pm = freshManager({ maxStatusLength: 5, maxAttrLength: 4 });
      pm.start("t", { attrs: { s: "abc😀def" } }).status("abcd😀ef");
      const task = pm.get("t")!;
      expect(task.attrs.s).to.equal("abc…");
      expect(task.history.lastStatus).to.equal("abcd…");
    });
  });

  describe("object-valued attributes are bounded when set", () => {
    it("keeps none of the caller's object: a 10 MB row set costs about the bound", async () => {
      const result = await retained("objectAttrs");
      expect(result.finished).to.equal(20);
      expect(result.retainedBytes).to.be.below(10 * MB);
    });

    it("copies a small object as JSON data, so later changes to the caller's object do not show", () => {
      const pm = freshManager();
      const user = { login: "ann", roles: ["admin"], since: new Date(0) };
      pm.start("t", { attrs: { user } });
      const task = pm.get("t")!;
      user.roles.push("root");
      expect(task.attrs.user).to.deep.equal({ login: "ann", roles: ["admin"], since: "1970-01-01T00:00:00.000Z" });
      expect(task.attrs.user).to.not.equal(user);
    });

    it("turns an object past maxAttrLength characters of JSON into its JSON text cut, ending in …", () => {
      const pm = freshManager({ maxAttrLength: 100 });
      pm.start("t").setAttribute(
        "rows",
        Array.from({ length: 1000 }, (_, i) => ({ i })),
      );
      const value = pm.get("t")!.attrs.rows as string;
      expect(value).to.be.a("string").with.lengthOf(101);
      expect(value.startsWith('[{"i":0},{"i":1}')).to.equal(true);
      expect(value.endsWith("…")).to.equal(true);
    });

    it(`turns an object deeper than ${MAX_ATTR_DEPTH} levels (a cycle, say) into cut text`, () => {
      const pm = freshManager();
      let deep: Record<string, unknown> = { leaf: 1 };
      for (let i = 0; i < MAX_ATTR_DEPTH; i++) deep = { down: deep };
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      pm.start("t", { attrs: { deep, cycle } });
      const task = pm.get("t")!;
      expect(task.attrs.deep)
        .to.be.a("string")
        .that.matches(/^\{"down":\{"down":/)
        .and.matches(/…$/);
      expect(task.attrs.cycle)
        .to.be.a("string")
        .that.matches(/^\{"self":\{"self":/)
        .and.matches(/…$/);
      let fits: Record<string, unknown> = { leaf: 1 };
      for (let i = 0; i < MAX_ATTR_DEPTH - 1; i++) fits = { down: fits };
      task.setAttribute("fits", fits);
      expect(task.attrs.fits).to.deep.equal(fits);
    });

    it("shows an object whose serialization throws as the text the API shows for it ([object Class]), never failing the call", () => {
      const pm = freshManager();
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      pm.start("t");
      const task = pm.get("t")!;
      task.setAttribute("revoked", proxy);
      task.setAttribute("getter", {
        get boom() {
          throw new Error("no getter");
        },
      });
      expect(task.attrs.revoked).to.equal("[object]");
      expect(task.attrs.getter).to.equal("[object Object]");
    });
  });
});
