import { expect } from "chai";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { CancelError, ProcessManager } from "../../lib";
import { deadPort } from "../client/fake-server";
import { LIST, goOriginal } from "../client/go-original";
import { blocked, releaseAll, tick, waitFor } from "../helpers";
import { startApi } from "../http/http-helpers";
import { childEnv, MAIN, proclist, site, type Site } from "./fixture";

/** The rows of a table the command printed, split on its two-space column gaps. */
function table(stdout: string): string[][] {
  return stdout
    .trimEnd()
    .split("\n")
    .map((line) => line.split(/ {2,}/));
}

describe("the proclist command against two real servers", function () {
  this.timeout(60_000);
  let a: Site;
  let b: Site;
  let both: string;

  beforeEach(async () => {
    [a, b] = await Promise.all([site(), site()]);
    both = `${a.label},${b.label}`;
    blocked(a.manager, "a-req1", { name: "GET /work", attrs: { method: "GET", uri: "/work?ms=30000" }, statuses: ["step 1/3"] });
    await tick(100);
    blocked(b.manager, "b-req2", {
      name: "GET /users/:id",
      attrs: { method: "POST", uri: "/users/9" },
      statuses: ["authenticating", "querying users"],
    });
    await tick(100);
    blocked(a.manager, "a-job", {
      name: "nightly",
      forbidCancel: true,
      attrs: { tenant: { id: 7, plan: "pro" }, retries: 2, urgent: true, note: null },
    });
  });

  afterEach(async () => {
    releaseAll();
    await Promise.all([a.api.close(), b.api.close()]);
  });

  describe("ls", () => {
    it("prints one table of both endpoints, oldest first, with attributes of any JSON type as columns", async () => {
      const { code, stdout, stderr } = await proclist(["ls", "-e", a.label, "-e", b.label]);
      expect(code, stderr).to.equal(0);
      const [head, ...rows] = table(stdout);
      expect(head).to.deep.equal([
        "ENDPOINT",
        "ID",
        "NAME",
        "AGE",
        "STATUS",
        "IN STATUS",
        "METHOD",
        "URI",
        "TENANT",
        "RETRIES",
        "URGENT",
        "NOTE",
      ]);
      expect(rows.map((r) => [r[0], r[1], r[2]])).to.deep.equal([
        [a.label, "a-req1", "GET /work"],
        [b.label, "b-req2", "GET /users/:id"],
        [a.label, "a-job", "nightly"],
      ]);
      expect(rows[1][4]).to.equal("querying users");
      expect(stdout).to.contain('{"id":7,"plan":"pro"}  2        true    null');
    });

    it("prints JSON for scripts, with RFC 3339 times and ages", async () => {
      const { code, stdout } = await proclist(["ls", "-e", both, "--json"]);
      expect(code).to.equal(0);
      const procs = JSON.parse(stdout) as Record<string, unknown>[];
      expect(procs.map((p) => p.id)).to.deep.equal(["a-req1", "b-req2", "a-job"]);
      expect(procs[2]).to.deep.include({
        endpoint: a.label,
        name: "nightly",
        status: "init",
        cancelling: false,
        forbidCancel: true,
        attrs: { tenant: { id: 7, plan: "pro" }, retries: 2, urgent: true, note: null },
      });
      expect(procs[0].procTime).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(procs[0].ageMs)
        .to.be.a("number")
        .at.least(procs[2].ageMs as number);
    });

    it("filters by name, status and attributes (compared as text)", async () => {
      const ids = async (...args: string[]) =>
        (JSON.parse((await proclist(["ls", "-e", both, "--json", ...args])).stdout) as { id: string }[]).map((p) => p.id);
      const found = await Promise.all([
        ids("--name", "nightly"),
        ids("--status", "querying users"),
        ids("--attr", "method=GET"),
        ids("--attr", "retries=2", "--attr", "urgent=true"),
        ids("--status", "nothing like it"),
      ]);
      expect(found).to.deep.equal([["a-job"], ["b-req2"], ["a-req1"], ["a-job"], []]);
    });

    it("still lists the endpoint that answers when another is unreachable, and exits 3 naming it", async () => {
      const port = await deadPort();
      const { code, stdout, stderr } = await proclist(["ls", "-e", `${a.label},127.0.0.1:${port}`]);
      expect(code).to.equal(3);
      expect(stderr).to.equal(
        `proclist: GET http://127.0.0.1:${port}/procs/: connection refused (is the server running, and on this port?)\n`,
      );
      expect(
        table(stdout)
          .slice(1)
          .map((r) => r[1]),
      ).to.deep.equal(["a-req1", "a-job"]);
    });

    it("says so when nothing runs, and exits 0", async () => {
      releaseAll();
      const [, ...live] = table((await proclist(["ls", "-e", both])).stdout);
      expect(live.filter((r) => r[1] !== "a-job")).to.deep.equal([]);
      const empty = await site();
      const { code, stdout, stderr } = await proclist(["ls", "-e", empty.label]);
      await empty.api.close();
      expect({ code, stdout, stderr }).to.deep.equal({ code: 0, stdout: "", stderr: `no live tasks on ${empty.label}\n` });
    });

    it("with nothing running on many endpoints, counts them instead of naming each (a fleet of 40 made a paragraph)", async () => {
      const empties = await Promise.all([1, 2, 3, 4, 5].map(() => site()));
      try {
        const { code, stderr } = await proclist(["ls", "--name", "nothing", "-e", empties.map((e) => e.label).join(",")]);
        expect(code).to.equal(0);
        expect(stderr).to.equal("no live tasks on any of the 5 endpoints that answered\n");
      } finally {
        await Promise.all(empties.map((e) => e.api.close()));
      }
    });

    it("says which endpoints answered with nothing running when another is down, and exits 3", async () => {
      const empty = await site();
      const down = await deadPort();
      const { code, stdout, stderr } = await proclist(["ls", "-e", `${empty.label},127.0.0.1:${down}`]);
      await empty.api.close();
      expect(code).to.equal(3);
      expect(stdout).to.equal("");
      expect(stderr).to.contain(`127.0.0.1:${down}/procs/: connection refused`);
      expect(stderr).to.contain(`no live tasks on ${empty.label}\n`);
    });

    it("exits 64 on wrong arguments, saying what is wrong", async () => {
      const attr = await proclist(["ls", "--attr", "novalue"]);
      expect(attr.code).to.equal(64);
      expect(attr.stderr).to.contain('--attr wants key=value, got "novalue"');
      const endpoint = await proclist(["ls", "-e", "ftp://x:1"]);
      expect(endpoint.code).to.equal(64);
      expect(endpoint.stderr).to.contain('invalid endpoint "ftp://x:1"');
      expect((await proclist(["lss"])).stderr).to.contain("Did you mean ls?");
    });
  });

  describe("history", () => {
    it("finds the task on the second endpoint and shows each status with its time", async () => {
      const { code, stdout, stderr } = await proclist(["history", "b-req2", "-e", both]);
      expect(code, stderr).to.equal(0);
      const [title, head, ...rows] = stdout.trimEnd().split("\n");
      // The last line links the task on the server's web page.
      expect(rows.pop()).to.equal(`open: http://${b.label}/#task=b-req2`);
      expect(title).to.match(new RegExp(`^task b-req2 \\(GET /users/:id\\) on ${b.label}: running for \\d`));
      expect(head.split(/ {2,}/)).to.deep.equal(["AT", "TIME", "TOOK", "STATUS"]);
      expect(rows.map((r) => r.split(/ {2,}/).at(-1))).to.deep.equal(["init", "authenticating", "querying users"]);
      expect(rows[2]).to.match(/so far {2}querying users$/);
    });

    it("shows a finished task's end, and prints JSON", async () => {
      const ended = blocked(b.manager, "short", { statuses: ["working"] });
      b.manager.kill("short", "enough");
      await ended.catch(() => undefined);
      const text = await proclist(["history", "short", "-e", both]);
      expect(text.stdout)
        .to.match(/: finished after /)
        .and.match(/killed: enough\nopen: http:\/\/127\.0\.0\.1:\d+\/#task=short\n$/);
      const json = JSON.parse((await proclist(["history", "short", "-e", b.label, "--json"])).stdout);
      expect(json).to.deep.include({ endpoint: b.label, id: "short", running: false, dropped: 0 });
      expect(json.history.map((e: { status: string }) => e.status)).to.deep.equal([
        "init",
        "working",
        "[cancel request: enough]",
        "killed: enough",
      ]);
      expect(json.history[0].ms).to.be.a("number");
      expect(json.history.at(-1).ms).to.equal(null);
    });

    it("exits 1 for an unknown id, and 3 when an endpoint that might hold it is unreachable", async () => {
      const missing = await proclist(["history", "nope", "-e", both]);
      expect(missing).to.deep.include({ code: 1, stdout: "" });
      // Each message names the endpoints whose answer it reports.
      expect(missing.stderr).to.equal(
        `proclist: ${a.label}, ${b.label}: no such task: "nope" (not running, nor among the finished tasks kept there)\n`,
      );
      const alone = await proclist(["history", "zzz", "-e", a.label]);
      expect(alone.stderr).to.equal(`proclist: ${a.label}: no such task: "zzz" (not running, nor among the finished tasks kept there)\n`);
      const port = await deadPort();
      const unsure = await proclist(["history", "nope", "-e", `${a.label},127.0.0.1:${port}`]);
      expect(unsure.code).to.equal(3);
      expect(unsure.stderr).to.equal(
        `proclist: GET http://127.0.0.1:${port}/procs/nope/history: connection refused (is the server running, and on this port?)\n` +
          `proclist: ${a.label}: no such task: "nope" (not running, nor among the finished tasks kept there)\n`,
      );
      // Nothing answered: saying "no such task" would be a guess.
      const down = await proclist(["history", "a-req1", "-e", `127.0.0.1:${port}`]);
      expect(down).to.deep.include({
        code: 3,
        stdout: "",
        stderr: `proclist: GET http://127.0.0.1:${port}/procs/a-req1/history: connection refused (is the server running, and on this port?)\n`,
      });
    });
  });

  describe("kill", () => {
    it("finds the task on the second endpoint, kills it there with the message, and exits 0", async () => {
      const ended = blocked(b.manager, "victim", { name: "GET /slow", statuses: ["waiting"] });
      const { code, stdout, stderr } = await proclist(["kill", "victim", "-m", "too slow", "-e", both]);
      expect(code, stderr).to.equal(0);
      expect(stdout).to.equal(`cancel requested: task victim on ${b.label} (too slow)\n`);
      const error = await ended.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(CancelError).and.have.property("reason", "too slow");
      expect(b.manager.finished().find((t) => t.id === "victim")).to.include({ outcome: "killed", status: "killed: too slow" });
    });

    it("waits with --wait until the task has ended and says how, or exits 5 if it runs on", async () => {
      blocked(b.manager, "quick-to-stop");
      const stopped = await proclist(["kill", "quick-to-stop", "-m", "bye", "--wait", "-e", both]);
      expect(stopped.code, stopped.stderr).to.equal(0);
      expect(stopped.stdout).to.match(
        new RegExp(`^cancel requested: task quick-to-stop on ${b.label} \\(bye\\)\ntask quick-to-stop ended killed: bye after \\S+\n$`),
      );
      // Started with the explicit API and never ended: nothing in it listens to the kill.
      a.manager.start("stubborn");
      try {
        const running = await proclist(["kill", "stubborn", "--wait", "300", "-e", a.label]);
        expect(running.code).to.equal(5);
        expect(running.stderr).to.equal(
          `proclist: ${a.label}: task "stubborn" is still running after 300ms: its code has not reached a cancellation point; kill --force (with --grace 0: at once) takes away what it awaits\n`,
        );
      } finally {
        a.manager.done("stubborn");
      }
    });

    it("says with --wait why a task that failed while stopping ended aborted", async () => {
      const ended = b.manager.run(
        (task) =>
          new Promise((_resolve, reject) =>
            task.signal.addEventListener("abort", () => reject(new Error("rollback failed")), { once: true }),
          ),
        { id: "messy" },
      );
      ended.catch(() => undefined);
      const result = await proclist(["kill", "messy", "--wait", "-e", b.label]);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.match(/\ntask messy ended aborted after \S+: rollback failed\n$/);
    });

    it("exits 1 when no endpoint has the task, 2 when it forbids cancelling, 3 when unreachable", async () => {
      const missing = await proclist(["kill", "nope", "-e", both]);
      expect(missing).to.deep.include({
        code: 1,
        stdout: "",
        stderr: `proclist: ${a.label}, ${b.label}: no such task: "nope" (not running, nor among the finished tasks kept there)\n`,
      });
      const forbidden = await proclist(["kill", "a-job", "-e", both]);
      expect(forbidden).to.deep.include({
        code: 2,
        stdout: "",
        stderr: `proclist: ${a.label}: task "a-job" cannot be cancelled (started with forbidCancel)\n`,
      });
      expect(a.manager.get("a-job")?.running).to.equal(true);
      const port = await deadPort();
      const down = await proclist(["kill", "a-req1", "-e", `127.0.0.1:${port}`]);
      expect(down.code).to.equal(3);
      expect(down.stderr).to.equal(
        `proclist: DELETE http://127.0.0.1:${port}/procs/a-req1: connection refused (is the server running, and on this port?)\n`,
      );
      const other = await deadPort();
      const allDown = await proclist(["kill", "a-req1", "-e", `127.0.0.1:${port},127.0.0.1:${other}`]);
      expect(allDown.code).to.equal(3);
      expect(allDown.stderr).to.not.contain("no such task");
      expect(allDown.stderr.split("\n").filter((line) => line.includes("connection refused"))).to.have.length(2);
    });

    it("refuses to guess when the id is live on both endpoints (exit 4), and kills nothing", async () => {
      blocked(a.manager, "dup");
      blocked(b.manager, "dup");
      const { code, stderr } = await proclist(["kill", "dup", "-e", both]);
      expect(code).to.equal(4);
      expect(stderr).to.equal(`proclist: ${a.label}, ${b.label}: task "dup" is live on each of these 2 endpoints; choose one with -e\n`);
      expect([a.manager.get("dup")?.cancelling, b.manager.get("dup")?.cancelling]).to.deep.equal([false, false]);
    });

    it("sends the token from --token or PROCLIST_TOKEN, and exits 3 with a hint without it", async () => {
      const locked = await site({ token: "s3cret" });
      blocked(locked.manager, "t1");
      blocked(locked.manager, "t2");
      try {
        const refused = await proclist(["kill", "t1", "-e", locked.label]);
        expect(refused.code).to.equal(3);
        expect(refused.stderr).to.match(/401 unauthorized: the server needs a token .*; pass --token or set PROCLIST_TOKEN\n$/);
        const wrong = await proclist(["kill", "t1", "-e", locked.label, "--token", "s3cret-typo"]);
        expect(wrong.code).to.equal(3);
        expect(wrong.stderr).to.match(
          /401 unauthorized: the token was refused \(unknown bearer token: .*\); check the value of --token or PROCLIST_TOKEN\n$/,
        );
        expect(locked.manager.get("t1")?.cancelling).to.equal(false);
        expect((await proclist(["kill", "t1", "-e", locked.label, "--token", "s3cret"])).code).to.equal(0);
        expect((await proclist(["kill", "t2", "-e", locked.label], { PROCLIST_TOKEN: "s3cret" })).code).to.equal(0);
      } finally {
        await locked.api.close();
      }
    });
  });

  describe("watch", () => {
    it("prints one line per event of either endpoint until --count is reached", async () => {
      const child = spawn(process.execPath, [MAIN, "watch", "-e", both, "--count", "4"], { env: childEnv() });
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
      // Both streams are open once each manager has a listener.
      while (!(a.manager.events.active && b.manager.events.active)) await tick(20);
      b.manager.start("w1", { name: "GET /x", attrs: { method: "GET", size: 12 } });
      b.manager.status("w1", "reading");
      await tick(20);
      a.manager.kill("a-req1", "watch me");
      const [code] = await once(child, "exit");
      expect(code).to.equal(0);
      const lines = stdout
        .trimEnd()
        .split("\n")
        .map((l) => l.split(/ {2,}/));
      expect(lines).to.have.length(4);
      // Two streams: each endpoint's events keep their order, the interleaving is the network's.
      const of = (label: string) => lines.filter((l) => l[1] === label).map((l) => l.slice(2));
      expect(of(b.label)).to.deep.equal([
        ["start", "w1", "GET /x method=GET size=12"],
        ["status", "w1", "reading"],
      ]);
      const [kill, done] = of(a.label);
      expect(kill).to.deep.equal(["kill", "a-req1", "cancel requested: watch me"]);
      expect(done.slice(0, 2)).to.deep.equal(["done", "a-req1"]);
      expect(done[2]).to.match(/^killed after \S+ \(killed: watch me\)$/);
      for (const line of lines) expect(line[0]).to.match(/^\d\d:\d\d:\d\d\.\d{3}$/);
    });

    it("prints a second start of a running task (a request renamed once routed) as a rename, and a new task of that id as a start", async () => {
      const child = spawn(process.execPath, [MAIN, "watch", "-e", a.label, "--count", "5"], { env: childEnv() });
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
      while (!a.manager.events.active) await tick(20);
      a.manager.start("r1", { name: "GET", attrs: { method: "GET" } });
      a.manager.rename(a.manager.get("r1")!, "GET /orders/:id");
      a.manager.done("r1");
      // The same id again, after the first ended: a new task, not a rename.
      a.manager.start("r1", { name: "GET" });
      a.manager.rename(a.manager.get("r1")!, "GET /users/:id");
      const [code] = await once(child, "exit");
      expect(code).to.equal(0);
      const lines = stdout
        .trimEnd()
        .split("\n")
        .map((l) => l.split(/ {2,}/).slice(2));
      expect(lines.map((l) => l.slice(0, 2).concat(l[0] === "done" ? [] : l.slice(2)))).to.deep.equal([
        ["start", "r1", "GET method=GET"],
        ["rename", "r1", "GET /orders/:id"],
        ["done", "r1"],
        ["start", "r1", "GET"],
        ["rename", "r1", "GET /users/:id"],
      ]);
    });

    it("stops quietly with exit 0 when its reader goes away (watch | head -1)", async () => {
      const child = spawn(process.execPath, [MAIN, "watch", "-e", a.label], { env: childEnv() });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
      while (!a.manager.events.active) await tick(20);
      a.manager.status("a-req1", "one");
      await once(child.stdout, "data");
      child.stdout.destroy();
      for (let i = 0; i < 20 && child.exitCode === null; i++) a.manager.status("a-req1", `more ${i}`), await tick(20);
      const [code] = child.exitCode === null ? await once(child, "exit") : [child.exitCode];
      expect({ code, stderr }).to.deep.equal({ code: 0, stderr: "" });
    });

    it("prints JSON lines, and exits 3 when no endpoint can be reached", async () => {
      const child = spawn(process.execPath, [MAIN, "watch", "-e", a.label, "--json", "--count", "1"], { env: childEnv() });
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
      while (!a.manager.events.active) await tick(20);
      a.manager.status("a-req1", "step 2/3");
      await once(child, "exit");
      expect(JSON.parse(stdout)).to.deep.include({ endpoint: a.label, type: "status", id: "a-req1", status: "step 2/3" });

      const port = await deadPort();
      const other = await deadPort();
      const allDown = await proclist(["watch", "-e", `127.0.0.1:${port},127.0.0.1:${other}`]);
      expect(allDown.code).to.equal(3);
      expect(allDown.stderr).to.contain(`GET http://127.0.0.1:${port}/procs/events: connection refused`);
      expect(allDown.stderr).to.contain(`GET http://127.0.0.1:${other}/procs/events: connection refused`);
      // None answered, so none is followed: no line may say the others are.
      expect(allDown.stderr).to.not.contain("following the others");
    });

    it("follows the endpoints that answer while one is down, and picks that one up when it comes", async () => {
      const late = await deadPort();
      const child = spawn(process.execPath, [MAIN, "watch", "-e", `${a.label},127.0.0.1:${late}`, "--count", "2"], { env: childEnv() });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      await waitFor("the down endpoint reported", () => stderr.includes("retrying it"));
      expect(stderr).to.contain(`proclist: GET http://127.0.0.1:${late}/procs/events: connection refused`);
      while (!a.manager.events.active) await tick(10);
      a.manager.status("a-req1", "while the other is down");
      await waitFor("the answering endpoint's event", () => stdout.includes("while the other is down"));
      const c = await startApi({ port: late, manager: new ProcessManager() });
      try {
        await waitFor("the late endpoint followed", () => stderr.includes(`proclist: 127.0.0.1:${late}: events stream connected`));
        c.manager.start("on-late");
        const [code] = (await once(child, "exit")) as [number];
        expect(code).to.equal(0);
        expect(stdout).to.match(new RegExp(`127\\.0\\.0\\.1:${late}\\s+start\\s+on-late`));
      } finally {
        await c.close();
      }
    });
  });

  describe("stats", () => {
    it("prints the latency table per endpoint and name, and the time in each status", async () => {
      for (let i = 0; i < 3; i++) await b.manager.run((t) => t.status("quick"), { name: "GET /fast" });
      const { code, stdout } = await proclist(["stats", "-e", both]);
      expect(code).to.equal(0);
      const [latency, phases] = stdout.split("\ntime in each status, over ended tasks:\n");
      const rows = table(latency);
      expect(rows[0]).to.deep.equal(["ENDPOINT", "NAME", "RUNNING", "STARTED", "ENDED", "KILLED", "ABORTED", "P50", "P90", "P99", "MAX"]);
      expect(rows.find((r) => r[1] === "GET /fast")?.slice(0, 7)).to.deep.equal([b.label, "GET /fast", "0", "3", "3", "0", "0"]);
      expect(rows.find((r) => r[1] === "nightly")?.slice(0, 8)).to.deep.equal([a.label, "nightly", "1", "1", "0", "0", "0", "-"]);
      expect(
        table(phases)
          .find((r) => r[2] === "quick")
          ?.slice(0, 4),
      ).to.deep.equal([b.label, "GET /fast", "quick", "3"]);
    });

    it("prints JSON, and exits 3 with the others shown when an endpoint is unreachable", async () => {
      const json = JSON.parse((await proclist(["stats", "-e", b.label, "--json"])).stdout);
      expect(json[0]).to.include({ endpoint: b.label, name: "GET /users/:id", running: 1, started: 1 });
      const port = await deadPort();
      const { code, stdout, stderr } = await proclist(["stats", "-e", `127.0.0.1:${port},${a.label}`, "--no-phases"]);
      expect(code).to.equal(3);
      expect(stderr).to.contain(`GET http://127.0.0.1:${port}/stats: connection refused`);
      expect(
        table(stdout)
          .slice(1)
          .map((r) => r[1]),
      ).to.deep.equal(["GET /work", "nightly"]);
    });
  });

  it("reads an original Go pm server next to a proclist one: ls, history and kill", async () => {
    // The Go server's clock says its tasks started a day ago, so they list first however long the
    // proclist server's task has been running on a loaded machine.
    const go = await goOriginal(LIST.replace('"serverTime":"2026-11-24T10:00:02.75+01:00"', '"serverTime":"2026-11-25T10:00:02.75+01:00"'));
    const label = go.url.replace("http://", "");
    try {
      const ls = await proclist(["ls", "-e", `${label},${b.label}`, "--json"]);
      expect(ls.code, ls.stderr).to.equal(0);
      const procs = JSON.parse(ls.stdout) as Record<string, unknown>[];
      expect(procs.map((p) => [p.endpoint, p.id])).to.deep.equal([
        [label, "req1"],
        [label, "job2"],
        [b.label, "b-req2"],
      ]);
      expect(procs[0]).to.deep.include({
        status: "reading",
        cancelling: true,
        procTime: "2026-11-24T09:00:00.123457Z",
        attrs: { host: "10.0.0.7:5123", method: "GET", uri: "/hosts/1" },
      });
      expect(procs[1]).to.deep.include({ attrs: {}, cancelling: false });
      const history = await proclist(["history", "req1", "-e", `${label},${b.label}`]);
      expect(history.stdout)
        .to.match(new RegExp(`^task req1 on ${label}: running for `))
        .and.contain("  init\n")
        .and.match(/so far {2}reading\n$/);
      const kill = await proclist(["kill", "req1", "-m", "from the Go side", "-e", `${b.label},${label}`]);
      expect(kill).to.deep.include({ code: 0, stdout: `cancel requested: task req1 on ${label} (from the Go side)\n` });
      expect(go.seen.find((r) => r.method === "DELETE")).to.deep.include({ url: "/procs/req1", body: '{"message":"from the Go side"}' });
    } finally {
      await go.close();
    }
  });

  it("answers --help on every command with examples, exit 0", async () => {
    const commands = ["", "ls", "history", "kill", "top", "watch", "stats"];
    const results = await Promise.all(commands.map((command) => proclist([...(command === "" ? [] : [command]), "--help"])));
    results.forEach(({ code, stdout }, i) => {
      expect(code, commands[i]).to.equal(0);
      expect(stdout, commands[i]).to.contain("Examples:").and.contain("--endpoint");
    });
  });
});
