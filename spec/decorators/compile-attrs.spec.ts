import { expect } from "chai";
import { Attr, ProcessManager, Tracked } from "../../lib";
import { freshManager } from "../helpers";

/** Attributes come from generated code: names that are not identifiers must still work. */
describe("@Attr attributes built per call", () => {
  let pm: ProcessManager;
  beforeEach(() => {
    pm = freshManager();
  });

  it("keeps names that are not identifiers, quotes included, and __proto__ as a plain own attribute", () => {
    class Odd {
      constructor(readonly pm: ProcessManager) {}
      @Tracked({ id: () => "odd" })
      run(@Attr("content-type") a: string, @Attr('say "hi"\n') b: string, @Attr("__proto__") c: unknown, @Attr("constructor") d: number) {
        return pm.get("odd")!.attrs;
      }
    }
    const attrs = new Odd(pm).run("text/plain", "hello", { polluted: true }, 7);
    expect(Object.keys(attrs)).to.deep.equal(["content-type", 'say "hi"\n', "__proto__", "constructor"]);
    expect(Object.getPrototypeOf(attrs)).to.equal(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(attrs, "__proto__")?.value).to.deep.equal({ polluted: true });
    expect(attrs["content-type"]).to.equal("text/plain");
    expect(attrs.constructor).to.equal(7);
    expect(({} as { polluted?: boolean }).polluted).to.equal(undefined);
  });

  it("applies each map to its own argument, in parameter order, with the attrs option merged last", () => {
    class Mapped {
      constructor(readonly pm: ProcessManager) {}
      @Tracked<[number, string]>({ id: () => "mapped", attrs: (_a: number, b: string) => ({ b: `option:${b}`, extra: true }) })
      run(@Attr("a", (n: number) => n * 2) a: number, @Attr("b", (s: string) => s.toUpperCase()) b: string, @Attr("c") c?: string) {
        return pm.get("mapped")!.attrs;
      }
    }
    const attrs = new Mapped(pm).run(21, "x");
    expect(attrs).to.deep.equal({ a: 42, b: "option:x", c: undefined, extra: true });
    expect(Object.keys(attrs)).to.deep.equal(["a", "b", "c", "extra"]);
  });

  it("gives each call its own attribute object", () => {
    const seen: Record<string, unknown>[] = [];
    class Twice {
      constructor(readonly pm: ProcessManager) {}
      @Tracked()
      run(@Attr("n") _n: number) {
        seen.push([...pm.tasks()].at(-1)!.attrs);
      }
    }
    const twice = new Twice(pm);
    twice.run(1);
    twice.run(2);
    expect(seen.map((a) => a.n)).to.deep.equal([1, 2]);
    expect(seen[0]).not.to.equal(seen[1]);
  });
});
