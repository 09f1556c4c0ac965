import { expect } from "chai";
import type { RemoteProc } from "../../lib";
import { rowsOf, sortRows, taskTable } from "../../lib/cli/rows";
import { renderTable } from "../../lib/cli/table";

const T0 = Date.parse("2026-11-24T09:00:00Z");
const proc = (id: string, procTime: number, extra: Partial<RemoteProc> = {}): RemoteProc => ({
  id,
  attrs: {},
  procTime,
  statusTime: procTime + 100,
  status: "init",
  cancelling: false,
  ...extra,
});

describe("task rows", () => {
  it("measure ages on each server's own clock, brought to one instant", () => {
    // api2's clock runs 5 s ahead, and its answer arrived 300 ms before api1's.
    const rows = [
      ...rowsOf("api1", { procs: [proc("a", T0 - 1000)], serverTime: T0 }),
      ...rowsOf("api2", { procs: [proc("b", T0 + 5000 - 800)], serverTime: T0 + 5000 }, 300),
    ];
    expect(rows.map((r) => [r.proc.id, r.ageMs, r.statusAgeMs])).to.deep.equal([
      ["a", 1000, 900],
      ["b", 1100, 1000],
    ]);
    expect(sortRows(rows, "age").map((r) => r.proc.id)).to.deep.equal(["b", "a"]);
  });

  it("sort by each key, ties broken by age then endpoint then id", () => {
    const rows = rowsOf("api1", {
      procs: [
        proc("c", T0 - 10, { status: "b", name: "x" }),
        proc("a", T0 - 30, { status: "a", name: "y" }),
        proc("b", T0 - 20, { status: "a", name: "x" }),
      ],
      serverTime: T0,
    });
    const ids = (key: Parameters<typeof sortRows>[1]) => sortRows(rows, key).map((r) => r.proc.id);
    expect(ids("age")).to.deep.equal(["a", "b", "c"]);
    expect(ids("id")).to.deep.equal(["a", "b", "c"]);
    expect(ids("name")).to.deep.equal(["b", "c", "a"]);
    expect(ids("status")).to.deep.equal(["a", "b", "c"]);
  });

  it("make a table whose attribute columns are the union of all keys, any JSON type, cut at the limit", () => {
    const rows = rowsOf("api1", {
      procs: [
        proc("a", T0 - 2000, { attrs: { method: "GET", uri: "/x".padEnd(60, "x") } }),
        proc("b", T0 - 1000, { attrs: { tenant: { id: 7 }, n: 3, ok: false, none: null }, cancelling: true, status: "reading" }),
      ],
      serverTime: T0,
    });
    const { head, cells } = taskTable(rows, 20);
    expect(head).to.deep.equal(["ENDPOINT", "ID", "AGE", "STATUS", "IN STATUS", "METHOD", "URI", "TENANT", "N", "OK", "NONE"]);
    expect(cells[0]).to.deep.equal(["api1", "a", "2.00s", "init", "1.90s", "GET", "/xxxxxxxxxxxxxxxxxx…", "", "", "", ""]);
    expect(cells[1]).to.deep.equal(["api1", "b", "1.00s", "reading (cancelling)", "900ms", "", "", '{"id":7}', "3", "false", "null"]);
    const lines = renderTable(head, cells, { boldHead: false });
    expect(lines[0]).to.equal(
      "ENDPOINT  ID  AGE    STATUS                IN STATUS  METHOD  URI                   TENANT    N  OK     NONE",
    );
    // Each value starts under its header.
    for (const [header, value] of [
      ["TENANT", '{"id":7}'],
      ["NONE", "null"],
      ["IN STATUS", "900ms"],
    ])
      expect(lines[2].indexOf(value), header).to.equal(lines[0].indexOf(header));
  });

  it("add a NAME column only when some server sent names", () => {
    const named = rowsOf("api1", { procs: [proc("a", T0, { name: "GET /work" }), proc("b", T0)], serverTime: T0 });
    expect(taskTable(named).head.slice(0, 3)).to.deep.equal(["ENDPOINT", "ID", "NAME"]);
    expect(taskTable(named).cells[1][2]).to.equal("");
  });
});
