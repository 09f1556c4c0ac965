import { expect } from "chai";
import { CancelError } from "../../lib";
import { blocked, releaseAll, tick } from "../helpers";
import { site, startTop, topRows as rows, type Site } from "./fixture";
import type { TmuxSession } from "./tmux";
import { startApi } from "../http/http-helpers";

describe("proclist top in a real terminal (tmux)", function () {
  this.timeout(60_000);
  let a: Site;
  let b: Site;
  let tmux: TmuxSession | undefined;

  beforeEach(async () => {
    [a, b] = await Promise.all([site(), site()]);
  });

  afterEach(async () => {
    await tmux?.close();
    tmux = undefined;
    releaseAll();
    await Promise.all([a.api.close(), b.api.close()]);
  });

  it("offers k only where the token may cancel: a read-only token loses the key, cancel:Reports.* may not kill Billing", async () => {
    const api = await startApi({
      token: { viewer: { token: "viewer-token", can: ["read"] }, reports: { token: "reports-token", can: ["read", "cancel:Reports.*"] } },
    });
    try {
      blocked(api.manager, "charge", { name: "Billing.charge" });
      tmux = await startTop(`-e 127.0.0.1:${api.port}`, { height: 30, token: "viewer-token" });
      await tmux.waitFor("the key line without k", (s) => rows(s).length === 1 && s.includes("↑↓ select  Enter history  / filter"));
      await tmux.keys("k");
      await tmux.waitFor("the refusal", (s) => s.includes("the token may not cancel Billing.charge") && s.includes("(it has: read)"));
      await tmux.close();
      tmux = await startTop(`-e 127.0.0.1:${api.port}`, { height: 30, token: "reports-token" });
      await tmux.waitFor("the key line with k", (s) => rows(s).length === 1 && s.includes("k kill"));
      await tmux.keys("k");
      await tmux.waitFor("the refusal", (s) => s.includes("the token may not cancel Billing.charge") && !s.includes("message (optional)"));
      expect(api.manager.get("charge")!.cancelling).to.equal(false);
    } finally {
      await api.close();
    }
  });

  it("shows both endpoints' tasks, kills the selected one after y, changes interval, sort and pause, and q restores the terminal", async () => {
    blocked(a.manager, "slow-1", {
      name: "GET /work",
      attrs: { method: "GET", size: { kb: 4 }, tags: ["x", "y"], ratio: 1.5, ok: true, none: null },
      statuses: ["step 1/3"],
    });
    // Far enough apart that the merged list's age order cannot flip on a loaded machine.
    await tick(150);
    const victim = blocked(b.manager, "slow-2", { name: "GET /users/:id", attrs: { method: "POST" }, statuses: ["querying"] });

    tmux = await startTop(`-e ${a.label},${b.label}`, { height: 30 });
    let screen = await tmux.waitFor("both tasks", (s) => rows(s).length === 2);
    expect(rows(screen)).to.deep.equal(["slow-1", "slow-2"]);
    expect(screen).to.contain(`${a.label} up (1)`).and.contain(`${b.label} up (1)`);
    // Attributes of every JSON type, where the original's pm-cli crashed on anything but strings.
    for (const value of ['{"kb":4}', '["x","y"]', "1.5", "true", "null", "POST"]) expect(screen).to.contain(value);

    await tmux.keys("Down", "k");
    await tmux.waitFor("the message prompt", (s) => s.includes("message (optional)"));
    await tmux.keys("Enter");
    screen = await tmux.waitFor("the kill prompt", (s) => s.includes("y to confirm"));
    expect(screen).to.contain(`Kill task "slow-2" on ${b.label}? y to confirm, any other key to cancel`);
    await tmux.keys("y");
    const error = await victim.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(CancelError);
    expect(b.manager.finished().find((t) => t.id === "slow-2")).to.include({ outcome: "killed" });
    screen = await tmux.waitFor("the kill to show", (s) => rows(s).length === 1 && s.includes("cancel requested: task slow-2"));
    expect(rows(screen)).to.deep.equal(["slow-1"]);

    await tmux.keys("+", "+");
    await tmux.waitFor("a 1 s interval", (s) => s.includes("every 1s"));
    await tmux.keys("-");
    await tmux.waitFor("a 500 ms interval", (s) => s.includes("every 500ms"));
    await tmux.keys("s");
    await tmux.waitFor("the next sort", (s) => s.includes("sort: status age"));
    await tmux.keys("p");
    await tmux.waitFor("pause", (s) => s.includes("PAUSED"));
    await tmux.keys("p");
    await tmux.waitFor("resume", (s) => !s.includes("PAUSED"));

    await tmux.keys("q");
    screen = await tmux.waitFor("top to exit", (s) => s.includes("top exited with"));
    expect(screen.split("\n")).to.deep.equal(["shell screen before top", "terminal modes restored", "top exited with 0"]);
  });

  it("shows an endpoint that stops answering as DOWN, and keeps its last tasks on screen, dimmed, as of its last answer", async () => {
    blocked(a.manager, "on-a");
    await tick(150);
    blocked(b.manager, "on-b");
    // FORCE_COLOR: the colour check below must not depend on the runner; chalk turns colour off
    // wherever CI is set (as CI sets it), and tmux hands its server's environment to top.
    tmux = await startTop(`-e ${a.label} -e ${b.label}`, { env: { FORCE_COLOR: "1" } });
    const both = await tmux.waitFor("both tasks", (s) => rows(s).length === 2);
    // Select on-b, so that the dimmed row is not also the inverted one. Rows sort by age, and the
    // two ages are 150 ms apart: on a loaded machine one answer's delay can swap them, so look.
    if (rows(both)[0] !== "on-b") await tmux.keys("Down");
    await a.api.close();
    const screen = await tmux.waitFor("the endpoint down", (s) => s.includes(`${a.label} DOWN`) && s.includes("AS OF"));
    expect(screen).to.match(new RegExp(`${a.label.replace(/\./g, "\\.")} DOWN for \\S+: connection refused`));
    expect(rows(screen).sort()).to.deep.equal(["on-a", "on-b"]);
    const line = (s: string, id: string) => s.split("\n").find((l) => l.includes(id))!;
    // The AS OF column: the time of the endpoint's last answer, on its rows only.
    expect(line(screen, "on-a")).to.match(/ \d\d:\d\d:\d\d\.\d{3}(  |$)/);
    expect(line(screen, "on-b")).to.not.match(/ \d\d:\d\d:\d\d\.\d{3}(  |$)/);
    const coloured = await tmux.screen(true);
    // tmux writes the dim attribute as SGR 2, alone or after a reset (`ESC[2m`, `ESC[0;2m`).
    expect(line(coloured, "on-a")).to.match(/^\u001b\[(0;)?2m/);
    expect(line(coloured, "on-b")).to.not.match(/\u001b\[(0;)?2m/);
    await tmux.keys("q");
    await tmux.waitFor("top to exit", (s) => s.includes("top exited with 0"));
  });

  it("kills with the message typed after k, recorded in the task's history", async () => {
    const victim = blocked(b.manager, "stuck-1", { name: "GET /work", statuses: ["querying"] });
    tmux = await startTop(`-e ${b.label}`);
    await tmux.waitFor("the task", (s) => rows(s).length === 1);
    await tmux.keys("k");
    await tmux.waitFor("the message prompt", (s) => s.includes(`Kill task "stuck-1" on ${b.label}: message (optional)`));
    await tmux.keys("stuck on the db", "BSpace", "b");
    await tmux.waitFor("the typed message", (s) => s.includes("stuck on the db▏"));
    await tmux.keys("Enter");
    await tmux.waitFor("the confirmation", (s) =>
      s.includes(`Kill task "stuck-1" on ${b.label} with message "stuck on the db"? y to confirm`),
    );
    await tmux.keys("y");
    await victim.then(
      () => undefined,
      () => undefined,
    );
    expect(b.manager.finished().find((t) => t.id === "stuck-1")!.outcome).to.equal("killed");
    expect(b.manager.history("stuck-1").map((h) => h.status)).to.include("[cancel request: stuck on the db]");
    await tmux.keys("q");
    await tmux.waitFor("top to exit", (s) => s.includes("top exited with 0"));
  });

  it("at 80 columns keeps id, name, age, status and the attributes, and drops ENDPOINT and IN STATUS", async () => {
    blocked(a.manager, "req-7f3a", {
      name: "GET /orders/:id",
      attrs: { method: "GET", uri: "/orders/88231" },
      statuses: ["querying orders"],
    });
    tmux = await startTop(`-e ${a.label}`, { width: 80, height: 16 });
    const screen = await tmux.waitFor("the task", (s) => s.includes("req-7f3a"));
    const head = screen.split("\n").find((l) => l.startsWith("ID "))!;
    expect(head.split(/ {2,}/)).to.deep.equal(["ID", "NAME", "AGE", "STATUS", "METHOD", "URI"]);
    const row = screen
      .split("\n")
      .find((l) => l.startsWith("req-7f3a"))!
      .split(/ {2,}/);
    expect([row[0], row[1], row[3], row[4], row[5]]).to.deep.equal([
      "req-7f3a",
      "GET /orders/:id",
      "querying orders",
      "GET",
      "/orders/88231",
    ]);
    expect(row[2]).to.match(/^\d/);
    await tmux.keys("q");
    await tmux.waitFor("top to exit", (s) => s.includes("top exited with 0"));
  });

  it("scrolls a long history with the moving keys while it shows, and k kills the task shown, not the list's next row", async () => {
    const steps = Array.from({ length: 30 }, (_, i) => `step ${String(i + 1).padStart(2, "0")}`);
    blocked(a.manager, "long-1", { name: "GET /long", statuses: steps });
    blocked(a.manager, "other-2", { name: "GET /other" });
    tmux = await startTop(`-e ${a.label}`);
    const both = await tmux.waitFor("both tasks", (s) => rows(s).length === 2);
    if (rows(both)[0] !== "long-1") await tmux.keys("Down");
    await tmux.keys("Enter");
    let screen = await tmux.waitFor("the newest entries", (s) => s.includes("task long-1 (GET /long)") && s.includes("step 30"));
    expect(screen).to.match(/… \d+ older lines/);
    expect(screen).to.not.contain("step 01");
    await tmux.keys("Home");
    screen = await tmux.waitFor("the oldest entries", (s) => s.includes("step 01") && s.includes("init"));
    expect(screen).to.not.contain("step 30");
    expect(screen).to.match(/\d+ newer lines/);
    await tmux.keys("End", "Down", "Down", "k");
    screen = await tmux.waitFor("the kill prompt", (s) => s.includes("Kill task"));
    expect(screen).to.contain(`Kill task "long-1" on ${a.label}: message (optional)`);
    await tmux.keys("Escape");
    await tmux.waitFor("the prompt gone", (s) => !s.includes("Kill task") && s.includes("task long-1 (GET /long)"));
    await tmux.keys("Escape");
    await tmux.waitFor("the list again", (s) => rows(s).length === 2);
    expect(a.manager.get("long-1")!.running).to.equal(true);
    await tmux.keys("q");
    await tmux.waitFor("top to exit", (s) => s.includes("top exited with 0"));
  });

  it("clears the filter being typed when Esc closes the / prompt, as its hint says", async () => {
    blocked(a.manager, "get-1", { name: "GET /work", attrs: { method: "GET" } });
    blocked(b.manager, "post-1", { name: "POST /work", attrs: { method: "POST" } });
    tmux = await startTop(`-e ${a.label},${b.label}`, { height: 24 });
    await tmux.waitFor("both tasks", (s) => rows(s).length === 2);
    await tmux.keys("/", "method=post");
    await tmux.waitFor("the filter to apply", (s) => rows(s).length === 1);
    await tmux.keys("Escape");
    const screen = await tmux.waitFor("the filter cleared", (s) => rows(s).length === 2 && !s.includes("method=post"));
    expect(screen).to.not.contain('filter "');
    await tmux.keys("q");
    await tmux.waitFor("top to exit", (s) => s.includes("top exited with 0"));
  });

  it("filters with /, and shows the selected task's history in place with Enter", async () => {
    blocked(a.manager, "get-1", { name: "GET /work", attrs: { method: "GET" }, statuses: ["reading"] });
    blocked(b.manager, "post-1", { name: "POST /work", attrs: { method: "POST" }, statuses: ["validating", "writing rows"] });
    tmux = await startTop(`-e ${a.label},${b.label}`, { height: 24 });
    await tmux.waitFor("both tasks", (s) => rows(s).length === 2);
    await tmux.keys("/", "method=post");
    let screen = await tmux.waitFor("the filter to apply", (s) => rows(s).length === 1);
    expect(rows(screen)).to.deep.equal(["post-1"]);
    await tmux.keys("Enter");
    screen = await tmux.waitFor("the filter kept", (s) => s.includes('1 of 2 tasks, filter "method=post"'));
    expect(rows(screen)).to.deep.equal(["post-1"]);

    await tmux.keys("Enter");
    screen = await tmux.waitFor("the history", (s) => s.includes(`task post-1 (POST /work) on ${b.label}: running for`));
    const statuses = screen
      .split("\n")
      .filter((l) => /^\+/.test(l))
      .map((l) => l.split(/ {2,}/).at(-1));
    expect(statuses).to.deep.equal(["init", "validating", "writing rows"]);
    expect(screen).to.contain(`open: http://${b.label}/#task=post-1`);
    await tmux.keys("Escape");
    await tmux.waitFor("the list again", (s) => rows(s).length === 1 && !s.includes("running for"));
    await tmux.keys("Escape");
    await tmux.waitFor("the filter cleared", (s) => rows(s).length === 2);
    await tmux.keys("?");
    await tmux.waitFor("the keys", (s) => s.includes("filter: id, name, status") && rows(s).length === 0);
    await tmux.keys("x");
    await tmux.waitFor("the list after the keys", (s) => rows(s).length === 2);
    await tmux.keys("q");
    await tmux.waitFor("top to exit", (s) => s.includes("top exited with 0"));
  });
});
