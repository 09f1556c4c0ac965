import { expect } from "chai";
import { formatDuration, formatInterval, formatStatus, formatValue, truncate } from "../../lib/cli/format";

describe("CLI formatting", () => {
  it("writes durations at a precision that fits their size", () => {
    const cases: [number, string][] = [
      [0, "0ms"],
      [-5, "0ms"],
      [NaN, "0ms"],
      [0.35, "350µs"],
      [4.25, "4.3ms"],
      [12.4, "12ms"],
      [999, "999ms"],
      [1000, "1.00s"],
      [3204, "3.20s"],
      [12_345, "12.3s"],
      [245_000, "4m05s"],
      [7_620_000, "2h07m"],
      [273_600_000, "3d04h"],
    ];
    for (const [ms, text] of cases) expect(formatDuration(ms), String(ms)).to.equal(text);
    expect([250, 1000, 2500, 30_000].map(formatInterval)).to.deep.equal(["250ms", "1s", "2.5s", "30s"]);
  });

  it("shows attribute values of every JSON type on one line", () => {
    expect(formatValue("GET")).to.equal("GET");
    expect(formatValue(42)).to.equal("42");
    expect(formatValue(true)).to.equal("true");
    expect(formatValue(null)).to.equal("null");
    expect(formatValue({ id: 7, tags: ["a", "b"] })).to.equal('{"id":7,"tags":["a","b"]}');
    expect(formatValue([1, { x: null }])).to.equal('[1,{"x":null}]');
    expect(formatValue(undefined)).to.equal("");
  });

  it("escapes control characters so a value cannot break a table or the terminal", () => {
    expect(formatValue("line one\nline two\t\u001b[31m")).to.equal("line one\\nline two\\t\\u001b[31m");
  });

  it("cuts long text with an ellipsis, and marks pending cancels", () => {
    expect(truncate("abcdefgh", 5)).to.equal("abcd…");
    expect(truncate("abc", 5)).to.equal("abc");
    // By display width: a CJK character takes two columns, and is never split.
    expect(truncate("日本語テキスト", 7)).to.equal("日本語…");
    expect(formatStatus("reading", true)).to.equal("reading (cancelling)");
  });
});
