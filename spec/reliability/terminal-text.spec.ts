import chalk from "chalk";
import { expect } from "chai";
import { fakeServer, json, type FakeServer } from "../client/fake-server";
import { proclist } from "../cli/fixture";
import { TopModel } from "../../lib/cli/top/model";
import { renderFrame } from "../../lib/cli/top/view";
import { terminalSafe } from "../../lib/cli/terminal-text";

/** Any character a terminal acts on, but the newline that ends each printed line. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
const T = "2026-11-24T09:00:00.000001Z";
const HOSTILE = "x\u001b[2J\u001b]0;pwned\u0007\u202eevil\u009b31m\u2066y";
const ESCAPED = "x\\u001b[2J\\u001b]0;pwned\\u0007\\u202eevil\\u009b31m\\u2066y";

/** A value nested `depth` arrays deep, written as JSON text (building it as an object would overflow JSON.stringify). */
const deepArray = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("text from a server never reaches the terminal raw", () => {
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("escapes C0, DEL, C1 and bidi controls, keeps other text, and bounds the length", () => {
    expect(terminalSafe(HOSTILE)).to.equal(ESCAPED);
    expect(terminalSafe("a\nb\tc\u007f\u200f")).to.equal("a\\nb\\tc\\u007f\\u200f");
    expect(terminalSafe("naïve 東京 🙂")).to.equal("naïve 東京 🙂");
    const long = terminalSafe("é".repeat(100_000), 50);
    expect(long).to.equal("é".repeat(50) + "… (99950 more characters)");
    // A surrogate pair is never split by the cut.
    expect(terminalSafe("a🙂", 2)).to.equal("a… (2 more characters)");
  });

  it("ls, stats and history show hostile names, statuses, attributes and history escaped", async () => {
    const proc = { id: "t1", name: HOSTILE, procTime: T, statusTime: T, status: HOSTILE, attrs: { [HOSTILE]: HOSTILE, n: [HOSTILE] } };
    const stat = {
      name: HOSTILE,
      running: 1,
      started: 1,
      ended: 0,
      killed: 0,
      aborted: 0,
      latencyMs: { count: 0, p50: 0, p90: 0, p99: 0, max: 0 },
      phases: { [HOSTILE]: { count: 1, totalMs: 1 } },
    };
    server = await fakeServer((req, res) => {
      if (req.url === "/procs/") return json(res, 200, { procs: [proc], serverTime: T });
      if (req.url === "/stats") return json(res, 200, { stats: [stat], serverTime: T });
      if (req.url === "/procs/t1/history") return json(res, 200, { history: [{ ts: T, status: HOSTILE }], dropped: 0, serverTime: T });
      if (req.url === "/procs/t1") return json(res, 200, { proc, running: true, serverTime: T });
      json(res, 404, { error: "no such route" });
    });
    for (const args of [["ls"], ["ls", "--wide"], ["stats"], ["history", "t1"]]) {
      const out = await proclist([...args, "-e", server.url]);
      expect(out.stderr, args.join(" ")).to.equal("");
      expect(out.code, args.join(" ")).to.equal(0);
      expect(out.stdout, args.join(" ")).not.to.match(RAW);
      expect(out.stdout, args.join(" ")).to.contain(ESCAPED.slice(0, 30));
    }
    const history = await proclist(["history", "t1", "-e", server.url]);
    expect(history.stdout.split("\n")[0]).to.contain(`(${ESCAPED})`);
  });

  it("a server's error text is escaped and bounded on the error lines of ls, history and kill", async () => {
    const flood = HOSTILE + "z".repeat(100_000);
    server = await fakeServer((_req, res) => json(res, 500, { error: flood }));
    for (const args of [["ls"], ["history", "t1"], ["kill", "t1"]]) {
      const out = await proclist([...args, "-e", server.url]);
      expect(out.code, args.join(" ")).to.equal(3);
      expect(out.stderr, args.join(" "))
        .to.contain(ESCAPED)
        .and.match(/more characters\)/);
      expect(out.stderr, args.join(" ")).not.to.match(RAW);
      expect(out.stderr.length, args.join(" ")).to.be.below(1200);
    }
  });

  it("ls shows a 100,000-deep attribute as a cut value and exits 0", async () => {
    const body = `{"procs":[{"id":"deep","procTime":"${T}","statusTime":"${T}","status":"s","attrs":{"deep":${deepArray(100_000)},"obj":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}}],"serverTime":"${T}"}`;
    server = await fakeServer((_req, res) => json(res, 200, body));
    const table = await proclist(["ls", "-e", server.url]);
    expect(table.stderr).to.equal("");
    expect(table.code).to.equal(0);
    expect(table.stdout).to.match(/\[\[\[\[\[\[\[\[\[\[\[\[\[\[\[\[\[…\]/);
    const wide = await proclist(["ls", "--wide", "-e", server.url]);
    expect(wide.code).to.equal(0);
    expect(wide.stdout).to.contain(`${'{"a":'.repeat(16)}{…}${"}".repeat(16)}`);
  });

  it("top's frame shows hostile task text, endpoint errors and notices escaped", () => {
    const level = chalk.level;
    chalk.level = 0;
    try {
      const model = new TopModel(["api1:8081", "api2:8081"], 1000, () => 0);
      const t0 = Date.parse("2026-11-24T09:00:00Z");
      model.answered(
        "api1:8081",
        {
          procs: [
            { id: HOSTILE, name: HOSTILE, attrs: { [HOSTILE]: HOSTILE }, procTime: t0, statusTime: t0, status: HOSTILE, cancelling: false },
          ],
          serverTime: t0,
        },
        0,
      );
      model.failed("api2:8081", new Error(HOSTILE), 0);
      model.notice = { text: HOSTILE, error: true };
      const lines = renderFrame(model, { width: 400, height: 20, now: t0 });
      expect(lines.join("\n")).not.to.match(RAW);
      expect(lines.join("\n")).to.contain("\\u202e");
    } finally {
      chalk.level = level;
    }
  });
});
