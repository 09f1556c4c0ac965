import chalk from "chalk";
import { expect } from "chai";
import stringWidth from "string-width";
import { InvalidResponseError, TransportError, type RemoteProc, type RemoteProcList } from "../../lib";
import { actionOf } from "../../lib/cli/top/keys";
import { TopModel } from "../../lib/cli/top/model";
import { InstanceUnreachableError } from "../../lib/fleet/errors";
import { fitColumns, taskColumns } from "../../lib/cli/task-columns";
import { renderFrame, type Scroll } from "../../lib/cli/top/view";
import { rowsOf } from "../../lib/cli/rows";

const T0 = Date.parse("2026-11-24T09:00:00Z");
const NOW = T0 + 60_000;
const proc = (id: string, ageMs: number, extra: Partial<RemoteProc> = {}): RemoteProc => ({
  id,
  attrs: {},
  procTime: T0 - ageMs,
  statusTime: T0 - ageMs / 2,
  status: "working",
  cancelling: false,
  ...extra,
});
const list = (...procs: RemoteProc[]): RemoteProcList => ({ procs, serverTime: T0 });

/** A model on a frozen clock, with api1 and api2 answering and api3 down. */
function fleet(): TopModel {
  const model = new TopModel(["api1:8081", "api2:8081", "api3:8081"], 1000, () => 0);
  model.answered(
    "api1:8081",
    list(
      proc("req-1", 5000, { name: "GET /work", attrs: { method: "GET", uri: "/work" } }),
      proc("job-9", 90_000, {
        name: "nightly",
        forbidCancel: true,
        attrs: { tenant: { id: 7, tags: ["a"] }, retries: 2, urgent: true, note: null },
      }),
    ),
    NOW,
  );
  model.answered("api2:8081", list(proc("req-2", 20_000, { attrs: { method: "POST" }, cancelling: true })), NOW);
  model.failed("api3:8081", new TransportError("GET", "http://api3:8081/procs/", "connection refused"), NOW - 12_000);
  return model;
}

const frame = (model: TopModel, width = 160, height = 24, scroll?: Scroll) => renderFrame(model, { width, height, now: NOW }, scroll);
const ids = (lines: string[]) => lines.filter((l) => /^api\d:8081 {2}/.test(l)).map((l) => l.split(/ {2,}/)[1]);
/** The header line of the task table, as its column names. */
const head = (lines: string[]) => lines.find((l) => /^(ENDPOINT {2}|ID {2})/.test(l))!.split(/ {2,}/);

describe("proclist top, frame by frame", () => {
  let level: typeof chalk.level;
  before(() => ((level = chalk.level), (chalk.level = 0)));
  after(() => (chalk.level = level));

  it("merges the endpoints' tasks, oldest first, and shows every attribute type", () => {
    const lines = frame(fleet());
    expect(lines[0]).to.match(/^proclist top · 3 tasks · sort: age · every 1s · \d\d:\d\d:\d\d\.\d{3}$/);
    expect(ids(lines)).to.deep.equal(["job-9", "req-2", "req-1"]);
    const job = lines.find((l) => l.includes("job-9"))!;
    expect(job).to.contain('{"id":7,"tags":["a"]}').and.match(/\b2\b/).and.contain("true").and.contain("null");
    expect(lines.find((l) => l.includes("req-2"))).to.contain("working (cancelling)");
  });

  it("a fleet's instance that left: INSTANCE column, gone since in the one time format, and AS OF in the same format", () => {
    const model = new TopModel(["a", "late"], 1000, () => 0);
    model.where = "INSTANCE";
    model.answered("a", list(proc("a1", 5000)), NOW);
    model.answered("late", list(proc("l1", 8000)), NOW - 2000);
    const since = "2026-11-24T09:00:58.123456Z";
    model.failed("late", new InstanceUnreachableError("late", `is gone since ${since}`, false, Date.parse(since)), NOW);
    const lines = frame(model);
    const text = lines.join("\n");
    const clock = (ms: number) => {
      const d = new Date(ms);
      return `${[d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":")}.${String(d.getMilliseconds()).padStart(3, "0")}`;
    };
    expect(text).to.contain(`late DOWN for 0ms: gone since ${clock(Date.parse(since))}`);
    expect(text).to.not.contain(since);
    expect(text).to.not.contain("last answer");
    expect(lines.find((l) => l.startsWith("INSTANCE  "))).to.match(/^INSTANCE {2,}ID {2,}AGE/);
    expect(lines.find((l) => l.includes("l1"))).to.contain(clock(NOW - 2000));
  });

  it("shows an endpoint that stopped answering as DOWN with the reason, and keeps its last tasks dimmed, as of its last answer", () => {
    const model = fleet();
    model.failed("api2:8081", new TransportError("GET", "http://api2:8081/procs/", "no answer within 5000 ms"), NOW - 3000);
    const lines = frame(model);
    const text = lines.join("\n");
    expect(text).to.contain("api1:8081 up (2)");
    expect(text).to.match(/api2:8081 DOWN for 3\.00s: no answer within 5000 ms, last answer \d\d:\d\d:\d\d\.\d{3}/);
    expect(text).to.match(/api3:8081 DOWN for 12\.0s: connection refused/);
    // api3 never answered: nothing to keep. api2's task stays, marked with when it was seen.
    expect(ids(lines)).to.deep.equal(["job-9", "req-2", "req-1"]);
    expect(head(lines)).to.include("AS OF");
    const asOf = new Date(NOW);
    const clock = [asOf.getHours(), asOf.getMinutes(), asOf.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
    expect(lines.find((l) => l.includes("req-2"))).to.contain(clock);
    expect(lines.find((l) => l.includes("req-1"))).to.not.contain(clock);
    chalk.level = 1;
    try {
      const coloured = frame(model);
      expect(coloured.find((l) => l.includes("req-2"))).to.match(/^\u001b\[2m/);
      expect(coloured.find((l) => l.includes("req-1"))).to.not.match(/^\u001b\[2m/);
    } finally {
      chalk.level = 0;
    }
    model.answered("api2:8081", list(), NOW);
    expect(frame(model).join("\n")).to.contain("api2:8081 up (0)");
    expect(head(frame(model))).to.not.include("AS OF");
  });

  it("shows a server answering a web page as not a proclist API, as the other commands say it", () => {
    const model = fleet();
    model.failed("api3:8081", new InvalidResponseError("GET", "http://api3:8081/procs/", "", 'not JSON: "<html>app</html>"'), NOW);
    expect(frame(model).join("\n")).to.match(
      /api3:8081 DOWN for \S+: not a proclist API \(GET http:\/\/api3:8081\/procs\/: invalid answer: not JSON/,
    );
  });

  it("filters as the page does: id, name, status, endpoint and key=value attributes", () => {
    const model = fleet();
    model.filter = "method=post";
    expect(ids(frame(model))).to.deep.equal(["req-2"]);
    expect(frame(model)[0]).to.contain('1 of 3 tasks, filter "method=post"');
    model.filter = "nightly";
    expect(ids(frame(model))).to.deep.equal(["job-9"]);
    model.filter = "nothing like it";
    expect(frame(model).join("\n")).to.contain('no task matches the filter "nothing like it"');
  });

  it("lists the keys on ?, and shows the selected task's history in place", () => {
    const model = fleet();
    model.help = true;
    const help = frame(model).join("\n");
    for (const key of ["Enter", "k", "/", "?", "q or Ctrl-C"]) expect(help).to.contain(key);
    model.help = false;
    const target = { endpoint: { url: "http://api1:8081", label: "api1:8081" }, client: {} } as never;
    model.history = {
      endpoint: "api1:8081",
      id: "req-1",
      found: {
        target,
        task: undefined,
        history: {
          history: [
            { ts: T0 - 5000, status: "init" },
            { ts: T0 - 2000, status: "reading the body" },
          ],
          serverTime: T0,
          dropped: 0,
        },
      },
    };
    const lines = frame(model);
    expect(lines.join("\n")).to.contain("task req-1 on api1:8081: running for 5.00s").and.contain("reading the body");
    expect(ids(lines)).to.deep.equal([]);
    expect(lines.at(-2)).to.equal("Enter or Esc: back to the list");
  });

  it("changes the refresh interval with + and -, within 250 ms and 30 s", () => {
    const model = fleet();
    model.changeInterval(1);
    expect(frame(model)[0]).to.contain("every 2s");
    for (let i = 0; i < 10; i++) model.changeInterval(1);
    expect(model.intervalMs).to.equal(30_000);
    for (let i = 0; i < 10; i++) model.changeInterval(-1);
    expect(frame(model)[0]).to.contain("every 250ms");
  });

  it("cycles the sort with s, and says which in the header", () => {
    const model = fleet();
    model.nextSort();
    model.nextSort();
    expect(frame(model)[0]).to.contain("sort: id");
    expect(ids(frame(model))).to.deep.equal(["job-9", "req-1", "req-2"]);
    model.nextSort(-1);
    expect(frame(model)[0]).to.contain("sort: status age");
  });

  it("marks a paused screen", () => {
    const model = fleet();
    model.paused = true;
    expect(frame(model)[0]).to.contain("PAUSED");
  });

  it("keeps the selection on the same task when a refresh reorders the rows", () => {
    const model = fleet();
    model.move(1);
    expect(model.selected()?.proc.id).to.equal("req-2");
    model.answered("api1:8081", list(proc("req-1", 5000), proc("job-9", 90_000), proc("old", 999_000)), NOW);
    expect(model.selected()?.proc.id).to.equal("req-2");
    model.answered("api2:8081", list(), NOW);
    expect(model.selected()?.proc.id, "the row that took its place").to.equal("req-1");
  });

  it("keeps two endpoints' tasks in the order they started when one endpoint's answer comes later than the other's", () => {
    let clock = 0;
    const model = new TopModel(["a:1", "b:1"], 1000, () => clock);
    const tasks = (serverTime: number) => ({
      a: { procs: [proc("A", 0, { procTime: T0 - 1000 })], serverTime },
      b: { procs: [proc("B", 0, { procTime: T0 - 990 })], serverTime },
    });
    const order = () => model.rows().map((r) => r.proc.id);
    model.answered("a:1", tasks(T0).a, NOW);
    model.answered("b:1", tasks(T0).b, NOW);
    expect(order()).to.deep.equal(["A", "B"]);
    // A second later b answers at once, a's answer (written as late) takes 30 ms on its way.
    clock = 1000;
    model.answered("b:1", tasks(T0 + 1000).b, NOW);
    clock = 1030;
    model.answered("a:1", tasks(T0 + 1000).a, NOW);
    expect(order()).to.deep.equal(["A", "B"]);
    expect(model.rows().map((r) => Math.round(r.ageMs))).to.deep.equal([2030, 2020]);
    // A server whose clock was set back a minute is believed at once.
    clock = 2000;
    model.answered("b:1", tasks(T0 - 60_000).b, NOW);
    expect(model.rows().find((r) => r.proc.id === "B")!.ageMs).to.equal(T0 - 60_000 - (T0 - 990));
  });

  it("asks for a message, then to confirm, naming the task and the endpoint, and warns about forbidCancel", () => {
    const model = fleet();
    expect(model.askKill("from -m")).to.equal(true);
    expect(model.confirm).to.deep.equal({ endpoint: "api1:8081", id: "job-9", forbidCancel: true });
    expect(model.input).to.deep.equal({ kind: "message", text: "from -m" });
    expect(frame(model).at(-2)).to.equal(
      'Kill task "job-9" on api1:8081: message (optional) from -m▏ Enter to go on, Esc to cancel (started with forbidCancel: the server will refuse)',
    );
    model.input = undefined;
    model.confirm!.message = "stuck on the db";
    expect(frame(model).at(-2)).to.equal(
      'Kill task "job-9" on api1:8081 with message "stuck on the db"? y to confirm, any other key to cancel (started with forbidCancel: the server will refuse)',
    );
    model.confirm!.message = "";
    const prompt = frame(model).at(-2)!;
    expect(prompt).to.equal(
      'Kill task "job-9" on api1:8081? y to confirm, any other key to cancel (started with forbidCancel: the server will refuse)',
    );
    expect(new TopModel(["x:1"]).askKill()).to.equal(false);
  });

  it("fits any screen: lines within the width, one line fewer than the height, the selection scrolled into view", () => {
    const model = new TopModel(["api1:8081"], 1000, () => 0);
    model.answered(
      "api1:8081",
      list(
        ...Array.from({ length: 50 }, (_, i) =>
          proc(`task-${String(i).padStart(2, "0")}`, 100_000 - i, { attrs: { uri: "/a/very/long/path/".repeat(5), n: i } }),
        ),
      ),
      NOW,
    );
    const scroll: Scroll = { top: 0 };
    model.move(40);
    for (const [width, height] of [
      [60, 15],
      [100, 30],
      [30, 10],
    ]) {
      const lines = frame(model, width, height, scroll);
      expect(lines.length, `${width}x${height}`).to.equal(height - 1);
      for (const line of lines) expect(stringWidth(line), line).to.be.at.most(width);
    }
    const lines = frame(model, 80, 20, scroll);
    expect(lines.join("\n")).to.contain("task-40");
    expect(lines.join("\n")).to.match(/rows \d+-\d+ of 50/);
  });

  it("on a screen of a few rows keeps the kill prompt and the selected row, dropping the keys line and the header first", () => {
    const model = fleet();
    expect(model.askKill("")).to.equal(true);
    for (const height of [3, 4, 5, 6, 7, 8]) {
      model.input = { kind: "message", text: "" };
      let lines = frame(model, 80, height);
      expect(lines.length, `80x${height}`).to.equal(height - 1);
      const at = lines.findIndex((l) => l.includes('Kill task "job-9" on api1:8081: message (optional)'));
      expect(at, `80x${height}: ${lines.join("\n")}`).to.be.at.least(0);
      model.input = undefined;
      lines = frame(model, 80, height);
      expect(lines[at], `80x${height}`).to.contain("y to confirm");
      // From 4 rows on, the task the prompt names shows above it, under the table's heading.
      if (height >= 4) expect(lines.slice(0, at).join("\n"), `80x${height}`).to.contain("job-9").and.contain("ID");
    }
    model.confirm = undefined;
    model.notice = { text: "the token may not cancel Billing.charge", error: true };
    expect(frame(model, 80, 5).join("\n")).to.contain("the token may not cancel Billing.charge");
  });

  it("at 80 columns drops ENDPOINT and IN STATUS first and keeps id, name, age, status and the attributes", () => {
    const procs = [
      proc("req-7f3a2b", 5000, { name: "GET /api/orders/:id", status: "querying orders", attrs: { method: "GET", uri: "/api/orders/1" } }),
    ];
    const rows = rowsOf("api1.internal.example:8081", list(...procs));
    const columns = taskColumns(rows);
    const cells = rows.map((r) => columns.map((c) => c.cell(r)));
    const wide = fitColumns(columns, cells, 200);
    expect(wide.keep.map((i) => columns[i].head)).to.deep.equal(["ENDPOINT", "ID", "NAME", "AGE", "STATUS", "IN STATUS", "METHOD", "URI"]);
    const narrow = fitColumns(columns, cells, 80);
    expect(narrow.keep.map((i) => columns[i].head)).to.deep.equal(["ID", "NAME", "AGE", "STATUS", "METHOD", "URI"]);
    expect(narrow.widths.reduce((a, b) => a + b, 0) + 2 * (narrow.widths.length - 1)).to.be.at.most(80);
    // Nothing cut: these fit once the endpoint and time in status are gone.
    expect(narrow.widths).to.deep.equal(narrow.keep.map((i) => Math.max(columns[i].head.length, cells[0][i].length)));
    // Tighter still: cut to floors, then the name goes before the attributes.
    const tight = fitColumns(columns, cells, 60);
    expect(tight.keep.map((i) => columns[i].head)).to.include.members(["ID", "AGE", "STATUS", "METHOD", "URI"]);
    expect(tight.keep.map((i) => columns[i].head)).to.not.include("NAME");
    expect(tight.widths[tight.keep.findIndex((i) => columns[i].head === "STATUS")]).to.equal("querying orders".length);
  });

  it("in a fleet at 80 columns keeps INSTANCE, the other half of the id kill and history take, and drops IN STATUS and the name first", () => {
    const procs = [
      proc("g9", 5000, { name: "Payments.charge", status: "init", attrs: { method: "GET", uri: "/pay" } }),
      proc("g9", 4000, { name: "GET /work", status: "step 2/6", attrs: { method: "GET", uri: "/work?ms=9000&steps=6" } }),
    ];
    const rows = [...rowsOf("orders-7d9f8c-x2kq", list(procs[0])), ...rowsOf("orders-7d9f8c-b7rw", list(procs[1]))];
    const columns = taskColumns(rows, "INSTANCE");
    const cells = rows.map((r) => columns.map((c) => c.cell(r)));
    for (const width of [80, 60]) {
      const { keep, widths } = fitColumns(columns, cells, width);
      const heads = keep.map((i) => columns[i].head);
      expect(heads.slice(0, 2), `${width}`).to.deep.equal(["INSTANCE", "ID"]);
      expect(heads, `${width}`).to.not.include("IN STATUS");
      // The instance is never cut: two pods' names differ at their end.
      expect(widths[0], `${width}`).to.equal("orders-7d9f8c-x2kq".length);
    }
    // On single servers the endpoint still goes first.
    const single = taskColumns(rows);
    expect(fitColumns(single, cells, 80).keep.map((i) => single[i].head)).to.not.include("ENDPOINT");
  });

  it("with forty endpoints, shows those not up first and counts the rest on the last header line instead of leaving them out unsaid", () => {
    const labels = Array.from({ length: 40 }, (_, i) => `pod-${i + 1}`);
    const model = new TopModel(labels, 1000, () => 0);
    for (const label of labels)
      if (label === "pod-37") model.failed(label, new TransportError("GET", "http://pod-37/procs/", "connection refused"), NOW - 3000);
      else model.answered(label, list(proc(`${label}-a`, 4000)), NOW);
    const lines = frame(model, 80, 40);
    const header = lines.slice(
      1,
      lines.findIndex((l) => l.startsWith("rows ") || /^(ENDPOINT|ID) {2}/.test(l)),
    );
    expect(header.length, header.join("\n")).to.be.at.most(6);
    expect(header.join("\n")).to.contain("pod-37 DOWN");
    expect(header.at(-1)).to.match(/^… \d+ more: \d+ up$/);
    const shown = header
      .slice(0, -1)
      .join(" ")
      .match(/pod-\d+ /g)!.length;
    expect(Number(/… (\d+) more/.exec(header.at(-1)!)![1]) + shown).to.equal(40);
    // Three endpoints that fit are shown as they are, in their order.
    expect(frame(fleet())[1]).to.match(/^api1:8081 up/);
  });

  it("maps keys to actions", () => {
    expect(actionOf("q")).to.equal("quit");
    expect(actionOf(undefined, { name: "c", ctrl: true })).to.equal("quit");
    expect(actionOf(undefined, { name: "up" })).to.equal("up");
    expect(actionOf(undefined, { name: "pagedown" })).to.equal("pageDown");
    expect(actionOf("k")).to.equal("kill");
    expect(actionOf("y")).to.equal("yes");
    expect([actionOf("s"), actionOf("S")]).to.deep.equal(["sort", "sortBack"]);
    expect([actionOf("+"), actionOf("-")]).to.deep.equal(["slower", "faster"]);
    expect([actionOf("p"), actionOf(" ")]).to.deep.equal(["pause", "pause"]);
    expect([actionOf("/"), actionOf("?"), actionOf(undefined, { name: "return" }), actionOf(undefined, { name: "escape" })]).to.deep.equal([
      "filter",
      "help",
      "history",
      "back",
    ]);
    expect(actionOf("x")).to.equal("other");
  });
});
