import { expect } from "chai";
import { IdTable } from "../../lib/core/id-table";

describe("IdTable (the live tasks' table of ids chosen by the caller)", () => {
  it("finds, replaces and deletes values by id, as a Map does, through growth and deletions", () => {
    const table = new IdTable<number>();
    const model = new Map<string, number>();
    // A fixed pseudo-random walk over 300 ids: sets, replacements and deletes interleaved.
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let step = 0; step < 20_000; step++) {
      const id = `id-${next() % 300}`;
      if (next() % 3 === 0) expect(table.delete(id), `delete ${id}`).to.equal(model.delete(id));
      else {
        table.set(id, step);
        model.set(id, step);
      }
      expect(table.size).to.equal(model.size);
    }
    for (let i = 0; i < 300; i++) {
      const id = `id-${i}`;
      expect(table.get(id), id).to.equal(model.get(id));
      expect(table.has(id), id).to.equal(model.has(id));
    }
  });

  it("tells ids apart by their whole text: empty, unicode, long and ids that differ in one unit", () => {
    const table = new IdTable<string>();
    const ids = ["", "a", "b", "ab", "ba", "é", "e\u0301", "😀", "x".repeat(256), `${"x".repeat(255)}y`, "1", "01"];
    for (const id of ids) table.set(id, `v:${id}`);
    for (const id of ids) expect(table.get(id)).to.equal(`v:${id}`);
    expect(table.get("c")).to.equal(undefined);
    expect(table.size).to.equal(ids.length);
  });

  it("stays usable when every key is deleted again and again (deletion marks are cleared, never fill it)", () => {
    const table = new IdTable<number>();
    for (let i = 0; i < 100_000; i++) {
      table.set(`e${i}`, i);
      expect(table.get(`e${i}`)).to.equal(i);
      table.delete(`e${i}`);
    }
    expect(table.size).to.equal(0);
    expect(table.get("e5")).to.equal(undefined);
  });
});
