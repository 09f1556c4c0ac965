import { expect } from "chai";
import { Attr, Status, TaskId, Tracked } from "../../lib";
import { thrownBy } from "../helpers";

/** What a standard (TC39) decorator receives as its second argument, for a member of `kind`. */
function standardContext(kind: string, name: string): ClassMemberDecoratorContext {
  return {
    kind,
    name,
    static: false,
    private: false,
    access: {},
    metadata: undefined,
    addInitializer() {},
  } as unknown as ClassMemberDecoratorContext;
}

/** Runs a hand-written decorator call and returns the TypeError it threw. */
function messageOf(fn: () => unknown): string {
  const error = thrownBy(fn);
  expect(error).to.be.instanceOf(TypeError);
  return (error as Error).message;
}

describe("decorator misconfiguration", () => {
  describe("@Tracked on a getter or a field names the class and the member", () => {
    it("under experimentalDecorators", () => {
      expect(
        messageOf(() => {
          class Cart {
            // @ts-expect-error: typed for methods, @Tracked on an accessor fails to compile too
            @Tracked() get total() {
              return 1;
            }
          }
          return Cart;
        }),
      ).to.equal("@Tracked goes on a method; Cart.total (an accessor) is not one");
      expect(
        messageOf(() => {
          class Cart {
            // @ts-expect-error TypeScript refuses a method decorator on a field too
            @Tracked() count = 0;
          }
          return Cart;
        }),
      ).to.equal("@Tracked goes on a method; Cart.count (a field) is not one");
    });

    it("as a standard decorator, where the class does not exist yet, naming the kind and the member", () => {
      const decorate = Tracked() as (value: unknown, context: ClassMemberDecoratorContext) => unknown;
      expect(messageOf(() => decorate(() => 1, standardContext("getter", "total")))).to.equal(
        "@Tracked goes on a method; the getter total is not one",
      );
      expect(messageOf(() => decorate(undefined, standardContext("field", "count")))).to.equal(
        "@Tracked goes on a method; the field count is not one",
      );
      expect(
        messageOf(() =>
          (Status("x") as (v: unknown, c: ClassMemberDecoratorContext) => unknown)(undefined, standardContext("accessor", "size")),
        ),
      ).to.equal("@Status goes on a method; the accessor size is not one");
    });
  });

  it("says what is wrong when a decorator gets arguments neither form passes", () => {
    const decorate = Tracked() as unknown as (...args: unknown[]) => unknown;
    expect(messageOf(() => decorate("orders", 3))).to.equal(
      "@Tracked was applied with arguments neither decorator form passes (string, number): put it on a class method, as @Tracked(…)",
    );
    expect(messageOf(() => decorate())).to.contain("neither decorator form passes ()");
    expect(messageOf(() => (Status("x") as unknown as (...args: unknown[]) => unknown)({}, 1, {}))).to.contain(
      "@Status was applied with arguments neither decorator form passes (object, number, object)",
    );
  });

  it("says to add the parentheses when @Tracked or @Status is written without them", () => {
    const bareTracked = Tracked as unknown as (...args: unknown[]) => unknown;
    const bareStatus = Status as unknown as (...args: unknown[]) => unknown;
    const method = () => 1;
    expect(messageOf(() => bareTracked({}, "find", { value: method }))).to.equal(
      "@Tracked must be called: write @Tracked() or @Tracked({ … }), with parentheses",
    );
    expect(messageOf(() => bareTracked(method, standardContext("method", "find")))).to.contain("@Tracked must be called");
    expect(messageOf(() => bareStatus(method, standardContext("method", "find")))).to.equal(
      '@Status must be called with the phase: write @Status("phase") or @Status((...args) => "phase")',
    );
  });

  it("tells to use @Tracked({ attrs }) when @Attr or @TaskId reach a standard decorator call", () => {
    const attr = Attr("user") as unknown as (value: unknown, context: ClassMemberDecoratorContext) => unknown;
    const taskId = TaskId() as unknown as (value: unknown, context: ClassMemberDecoratorContext) => unknown;
    expect(messageOf(() => attr(() => 1, standardContext("method", "find")))).to.equal(
      "@Attr marks a parameter, and standard decorators (TypeScript without experimentalDecorators) have none: on find, give ids and attributes with @Tracked({ id: (...args) => …, attrs: (...args) => ({ … }) })",
    );
    expect(messageOf(() => taskId(() => 1, standardContext("method", "find"))))
      .to.contain("@TaskId marks a parameter")
      .and.contain("@Tracked({ id:");
  });

  it("refuses @Attr put on a method instead of a parameter", () => {
    const attr = Attr("user") as unknown as (...args: unknown[]) => unknown;
    expect(messageOf(() => attr({}, "find", { value: () => 1 }))).to.equal(
      "@Attr goes on a parameter of a @Tracked method, not on find itself",
    );
  });

  it("warns once, when the class is defined, about @Attr and @TaskId on a method without @Tracked", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      class Users {
        find(@TaskId() id: string, @Attr("user") login: string) {
          return id + login;
        }
        @Tracked() found(@Attr("user") login: string) {
          return login;
        }
      }
      expect(new Users().found("ann")).to.equal("ann");
      // process.emitWarning delivers on a later tick: wait for it, with a cap.
      for (let i = 0; i < 500 && !warnings.some((w) => (w as { code?: string }).code === "PROCLIST_PARAMS_WITHOUT_TRACKED"); i++)
        await new Promise((resolve) => setTimeout(resolve, 2));
    } finally {
      process.off("warning", onWarning);
    }
    const ours = warnings.filter((w) => (w as { code?: string }).code === "PROCLIST_PARAMS_WITHOUT_TRACKED");
    expect(ours.map((w) => w.message)).to.deep.equal([
      "@Attr/@TaskId on Users.find do nothing: the method has no @Tracked (add @Tracked() above it, or remove them)",
    ]);
  });
});
