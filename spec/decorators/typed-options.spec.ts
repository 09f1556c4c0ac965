import { expect } from "chai";
import { Consumer } from "../consumer";

/** Decorated methods whose functions of the arguments fit the method: each must compile. */
const FITTING = `
import { Status, Tracked } from "proclist";

export class Reports {
  // id takes fewer parameters than attrs: each is typed on its own.
  @Tracked({ id: (requestId: string) => requestId, attrs: (requestId: string, user: string) => ({ user }) })
  async build(requestId: string, user: string) { await this.query(user.length); }

  // Fewer parameters than the method has, and none at all.
  @Tracked({ attrs: (n: number) => ({ n }) })
  count(n: number, label: string) { return label.repeat(n); }

  @Tracked({ id: () => "fixed" })
  fixed(a: boolean) { return a; }

  @Tracked()
  plain(x: unknown) { return x; }

  @Status((rows: number) => \`querying \${rows} rows\`)
  async query(rows: number) { return rows; }

  @Status("rendering")
  render() { return "<report>"; }
}
`;

/** One wrong function per file, each a compile error on the decorator's line. */
const WRONG: Record<string, string> = {
  "attrs-type": `@Tracked({ attrs: (n: number) => ({ n }) })
  f(s: string) { return s; }`,
  "id-type": `@Tracked({ id: (n: number) => String(n), attrs: (s: string) => ({ s }) })
  f(s: string) { return s; }`,
  "id-too-many": `@Tracked({ id: (a: string, b: string) => a + b })
  f(a: string) { return a; }`,
  "status-type": `@Status((n: number) => "step " + n)
  f(s: string) { return s; }`,
};

describe("@Tracked and @Status typed against the decorated method's parameters", function () {
  this.timeout(180_000);
  for (const mode of ["experimentalDecorators", "standard decorators"] as const) {
    it(`under ${mode}: fitting id, attrs and status functions compile (id with fewer parameters than attrs too), and a wrong one is a compile error`, () => {
      const consumer = new Consumer(mode === "standard decorators" ? {} : { experimentalDecorators: true, emitDecoratorMetadata: true });
      try {
        for (const [name, method] of Object.entries(WRONG))
          consumer.write(`wrong-${name}`, `import { Status, Tracked } from "proclist";\nexport class C {\n  ${method}\n}\n`);
        const diagnostics = consumer.compile("fitting", FITTING);
        expect(diagnostics.split("\n").filter((l) => l.startsWith("fitting.ts"))).to.deep.equal([]);
        for (const name of Object.keys(WRONG))
          expect(diagnostics, `wrong-${name}.ts`).to.match(new RegExp(`^wrong-${name}\\.ts\\(3,\\d+\\): error TS\\d+`, "m"));
        // Nothing but the wrong files is reported.
        expect(diagnostics.split("\n").filter((l) => /^\S+\.ts\(/.test(l) && !l.startsWith("wrong-"))).to.deep.equal([]);
      } finally {
        consumer.dispose();
      }
    });
  }
});
