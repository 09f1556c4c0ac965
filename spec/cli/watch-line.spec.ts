import { expect } from "chai";
import { line } from "../../lib/cli/commands/watch";

describe("proclist watch: line()", () => {
  const ts = Date.UTC(2026, 10, 24, 9);

  it("says why an aborted task failed, in one line whatever the message holds", () => {
    const text = line("api1:8081", {
      type: "done",
      ts,
      id: "req-7",
      outcome: "aborted",
      status: "aborted",
      durationMs: 12,
      error: "db down\nretry later",
    });
    expect(text.split(/ {2,}/).slice(1)).to.deep.equal(["api1:8081", "done", "req-7", "aborted after 12ms: db down\\nretry later"]);
  });

  it("adds nothing for a task that ended without an error", () => {
    const text = line("api1:8081", { type: "done", ts, id: "req-8", outcome: "ended", status: "ended", durationMs: 12 });
    expect(text.split(/ {2,}/).slice(1)).to.deep.equal(["api1:8081", "done", "req-8", "ended after 12ms"]);
  });
});
