import { expect } from "chai";
import type { ProcessManager, ServedApi } from "../../lib";
import { validateWire } from "../../lib/wire/schemas";
import { apiPerSpec, call } from "./http-helpers";

// What the original's Go client decodes: time.Time fields parse RFC 3339 strings.
const RFC3339_MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe("HTTP wire format", () => {
  let api: ServedApi & { manager: ProcessManager };
  let pm: ProcessManager;
  apiPerSpec((served) => {
    api = served;
    pm = served.manager;
  });

  it("GET /procs/ has exactly the fields and JSON types the Go client decodes", async () => {
    const t = pm.start("req1", { attrs: { host: "10.0.0.7:5123", method: "GET", uri: "/hosts/1" } });
    t.status("reading");
    pm.kill("req1");
    pm.start("plain");
    const { json, text } = await call(api, "GET", "/procs/");
    expect(Object.keys(json)).to.deep.equal(["procs", "serverTime"]);
    expect(json.serverTime).to.be.a("string").that.matches(RFC3339_MICRO);
    expect(json.procs).to.be.an("array").with.length(2);
    for (const proc of json.procs) {
      expect(proc.id).to.be.a("string");
      expect(proc.attrs).to.be.an("object").and.not.an("array");
      expect(proc.procTime).to.be.a("string").that.matches(RFC3339_MICRO);
      expect(proc.statusTime).to.be.a("string").that.matches(RFC3339_MICRO);
      expect(proc.status).to.be.a("string");
      expect(proc.cancelling).to.be.a("boolean");
      // The original's fields come first, in its order; proclist's extras after them.
      expect(Object.keys(proc).slice(0, 6)).to.deep.equal(["id", "attrs", "procTime", "statusTime", "status", "cancelling"]);
    }
    expect(json.procs[0]).to.deep.include({ id: "req1", status: "[cancel request]", cancelling: true });
    expect(json.procs[0].attrs).to.deep.equal({ host: "10.0.0.7:5123", method: "GET", uri: "/hosts/1" });
    expect(json.procs[1].attrs).to.deep.equal({});
    expect(validateWire.procList(json)).to.equal(true);
    expect(text).to.not.contain("\n");
  });

  it("writes multi-byte text exactly, with a Content-Length in bytes", async () => {
    pm.start("ü☃😀", { attrs: { note: "naïve ☕", lone: "\ud800" } });
    pm.start("plain");
    const answer = await call(api, "GET", "/procs/");
    expect(Number(answer.headers["content-length"])).to.equal(Buffer.byteLength(answer.text));
    expect(answer.json.procs.map((p: { id: string }) => p.id)).to.deep.equal(["ü☃😀", "plain"]);
    expect(answer.json.procs[0].attrs).to.deep.equal({ note: "naïve ☕", lone: "\ud800" });
  });

  it("gives times to the microsecond, matching the task's own timestamps", async () => {
    const t = pm.start("t");
    t.status("x");
    const [proc] = (await call(api, "GET", "/procs/")).json.procs;
    const history = pm.history("t");
    expect(Date.parse(proc.procTime)).to.equal(Math.floor(history[0].ts));
    const micros = (iso: string) => Number(iso.slice(20, 26));
    expect(micros(proc.statusTime)).to.equal(Math.floor((history[1].ts % 1000) * 1000));
  });

  it("GET /procs/:id/history is { history: [{ ts, status }], serverTime }", async () => {
    pm.start("t").status("reading");
    const { json } = await call(api, "GET", "/procs/t/history");
    expect(Object.keys(json)).to.deep.equal(["history", "serverTime"]);
    for (const entry of json.history) {
      expect(Object.keys(entry)).to.deep.equal(["ts", "status"]);
      expect(entry.ts).to.match(RFC3339_MICRO);
      expect(entry.status).to.be.a("string");
    }
    expect(validateWire.history(json)).to.equal(true);
  });

  it("every proclist answer matches its schema in lib/wire", async () => {
    pm.start("live", { attrs: { n: 1 } });
    pm.start("done", { name: "job" }).status("working");
    pm.done("done");
    pm.start("failed");
    pm.done("failed", new Error("boom"));
    expect(validateWire.task((await call(api, "GET", "/procs/live")).json)).to.equal(true);
    expect(validateWire.task((await call(api, "GET", "/procs/done")).json)).to.equal(true);
    const finished = (await call(api, "GET", "/procs/finished")).json;
    expect(validateWire.finishedList(finished)).to.equal(true);
    expect(finished.finished[1]).to.include({ outcome: "aborted", error: "boom" });
    expect(finished.keepFinished).to.equal(pm.options.keepFinished);
    expect(validateWire.stats((await call(api, "GET", "/stats")).json)).to.equal(true);
    expect(validateWire.killed((await call(api, "DELETE", "/procs/live", { body: '{"message":"m"}' })).json)).to.equal(true);
    for (const [method, path] of [
      ["GET", "/procs/nope"],
      ["GET", "/procs/nope/history"],
      ["DELETE", "/procs/nope"],
      ["GET", "/procs/?bad=1"],
      ["PUT", "/procs/"],
      ["GET", "/elsewhere"],
    ]) {
      const answer = await call(api, method, path);
      expect(answer.headers["content-type"], path).to.equal("application/json");
      expect(validateWire.error(answer.json), `${method} ${path}`).to.equal(true);
      expect(Object.keys(answer.json)).to.deep.equal(["error"]);
    }
  });

  it("shows attribute values JSON cannot hold as bounded strings, never failing the answer", async () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    pm.start("odd", {
      attrs: {
        big: 10n,
        nan: NaN,
        fn: function handler() {},
        circular,
        bad: {
          toJSON: () => {
            throw new Error("no");
          },
        },
        nested: { deep: [1, "two", null] },
        undef: undefined,
        huge: { text: "y".repeat(5000) },
      },
    });
    const answer = await call(api, "GET", "/procs/odd");
    expect(answer.status).to.equal(200);
    const attrs = answer.json.proc.attrs;
    expect(attrs.big).to.equal("10");
    expect(attrs.nan).to.equal("NaN");
    expect(attrs.fn).to.equal("[function handler]");
    // Bounded when set (see README, "Attribute values"): a cycle passes the depth bound, a throwing toJSON is shown.
    expect(attrs.circular)
      .to.be.a("string")
      .that.matches(/^\{"a":1,"self":\{"a":1,"self":/)
      .and.match(/…$/);
    expect(attrs.bad).to.equal("[object Object]");
    expect(attrs.nested).to.deep.equal({ deep: [1, "two", null] });
    expect(attrs.undef).to.equal(null);
    expect(attrs.huge).to.be.a("string").with.length.below(1100);
  });
});
