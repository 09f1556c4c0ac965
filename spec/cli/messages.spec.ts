import { expect } from "chai";
import { NotProclistApiError, ProclistClient, TaskNotFoundError } from "../../lib";
import { fakeServer, type FakeServer } from "../client/fake-server";
import { goOriginal } from "../client/go-original";
import { blocked, rejectionOf, releaseAll } from "../helpers";
import { proclist, site, type Site } from "./fixture";

/** A web server that is not an API: an HTML 404 for every path, as `python3 -m http.server` answers. */
function foreignServer(): Promise<FakeServer> {
  return fakeServer((_req, res) => {
    res.writeHead(404, { "content-type": "text/html;charset=utf-8" });
    res.end(
      "<!DOCTYPE HTML>\n<html><head><title>Error response</title></head><body><h1>Error response</h1><p>Error code: 404</p><p>Message: File not found.</p></body></html>\n",
    );
  });
}

describe("a wrong URL or another server, told apart from a task that is not there", function () {
  this.timeout(60_000);
  let live: Site;
  let foreign: FakeServer;
  beforeEach(async () => {
    live = await site();
    foreign = await foreignServer();
    void blocked(live.manager, "9", { statuses: ["working"] });
  });
  afterEach(async () => {
    releaseAll();
    await Promise.all([live.api.close(), foreign.close()]);
  });

  it("history and kill at a path that is not the API say so and exit 3, not 'no such task'", async () => {
    for (const command of [
      ["history", "9"],
      ["kill", "9"],
    ]) {
      const result = await proclist([...command, "-e", `${live.api.url}/wrong`]);
      expect(result.code, result.stderr).to.equal(3);
      expect(result.stderr).to.contain(`not a proclist API at ${live.api.url}/wrong`);
      expect(result.stderr).to.contain("no such route");
      expect(result.stderr).to.not.contain("no such task");
    }
    expect(live.manager.get("9")!.cancelling).to.equal(false);
  });

  it("history and kill against a server that is not proclist say so and exit 3", async () => {
    for (const command of [["history", "9"], ["kill", "9"], ["ls"]]) {
      const result = await proclist([...command, "-e", foreign.url]);
      expect(result.code, `${command[0]}: ${result.stderr}`).to.equal(3);
      expect(result.stderr).to.contain(`not a proclist API at ${foreign.url}`);
      expect(result.stderr).to.not.contain("no such task");
    }
  });

  it("a server answering every path with a plain Not Found, a web page or JSON of its own is not a proclist API either", async () => {
    const others = await Promise.all([
      // koa's answer, and express's res.sendStatus(404): the Go original's words for an unknown task, without its list
      fakeServer((_req, res) => res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not Found")),
      // a single-page app's server: its page for every path
      fakeServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><html><body>app</body></html>")),
      fakeServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"hello":"world"}')),
    ]);
    try {
      for (const other of others)
        for (const command of [["history", "9"], ["kill", "9"], ["ls"], ["stats"]]) {
          const result = await proclist([...command, "-e", other.url]);
          expect(result.code, `${command[0]} at ${other.url}: ${result.stderr}`).to.equal(3);
          expect(result.stderr).to.contain(`not a proclist API at ${other.url}`);
          expect(result.stderr).to.not.contain("no such task");
        }
    } finally {
      await Promise.all(others.map((other) => other.close()));
    }
  });

  it("still says 'no such task' (exit 1) for an unknown task on proclist and on the Go original", async () => {
    const go = await goOriginal();
    try {
      for (const url of [live.api.url, go.url]) {
        const history = await proclist(["history", "nope", "-e", url]);
        expect(history.code, history.stderr).to.equal(1);
        expect(history.stderr).to.contain('no such task: "nope"');
        const kill = await proclist(["kill", "nope", "-e", url]);
        expect(kill.code, kill.stderr).to.equal(1);
        expect(kill.stderr).to.contain('no such task: "nope"');
      }
    } finally {
      await go.close();
    }
  });

  it("the client throws NotProclistApiError for a route 404 and TaskNotFoundError for a task 404", async () => {
    const wrong = new ProclistClient(`${live.api.url}/wrong`);
    for (const attempt of [
      () => wrong.history("9"),
      () => wrong.kill("9"),
      () => wrong.task("9"),
      () => wrong.processes(),
      () => new ProclistClient(foreign.url).history("9"),
    ]) {
      const error = await rejectionOf(attempt());
      expect(error).to.be.instanceOf(NotProclistApiError);
      expect((error as Error).message).to.contain("not a proclist API at");
    }
    expect(await rejectionOf(new ProclistClient(live.api.url).history("nope"))).to.be.instanceOf(TaskNotFoundError);
  });
});

describe("a task that has ended, just now or long ago", function () {
  this.timeout(60_000);
  let a: Site;
  let b: Site;
  beforeEach(async () => {
    [a, b] = await Promise.all([site(), site()]);
  });
  afterEach(async () => {
    releaseAll();
    await Promise.all([a.api.close(), b.api.close()]);
  });

  it("kill of a task that has just ended says when and how it ended, and exits 6, on one endpoint and on several", async () => {
    const ended = blocked(b.manager, "3", { statuses: ["step 1"] });
    b.manager.kill("3", "too slow", "alice");
    await ended.catch(() => undefined);
    for (const endpoints of [b.label, `${a.label},${b.label}`]) {
      const result = await proclist(["kill", "3", "-e", endpoints]);
      expect(result.code, result.stderr).to.equal(6);
      expect(result.stdout).to.equal("");
      expect(result.stderr).to.match(
        new RegExp(
          `^proclist: ${b.label.replace(/\./g, "\\.")}: task "3" already ended at \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\(killed after \\S+: "killed: too slow", by alice\\); nothing to cancel\\n$`,
        ),
      );
    }
    void blocked(a.manager, "4");
    releaseAll();
    await new Promise((resolve) => setImmediate(resolve));
    const done = await proclist(["kill", "4", "-e", a.label]);
    expect(done.code, done.stderr).to.equal(6);
    expect(done.stderr, done.stderr).to.match(/task "4" already ended at .* \(ended after \S+\); nothing to cancel/);
  });

  it("kill and history of a task that ended long ago say it is neither running nor among the finished tasks kept, on one endpoint and on several", async () => {
    a.manager.setOptions({ keepFinished: 1 });
    for (const id of ["old", "new"]) await a.manager.run(() => undefined, { id });
    for (const endpoints of [a.label, `${a.label},${b.label}`])
      for (const command of ["kill", "history"]) {
        const result = await proclist([command, "old", "-e", endpoints]);
        expect(result.code, result.stderr).to.equal(1);
        expect(result.stderr).to.match(/no such task: "old" \(not running, nor among the finished tasks kept there\)\n$/);
      }
  });
});

describe("the command's messages and kill --json", function () {
  this.timeout(60_000);
  let a: Site;
  beforeEach(async () => {
    a = await site();
  });
  afterEach(async () => {
    releaseAll();
    await a.api.close();
  });

  it("says commander's own usage errors in the one style, proclist: first, and exits 64", async () => {
    const unknown = await proclist(["ls", "--nope", "-e", a.label]);
    expect(unknown.code).to.equal(64);
    expect(unknown.stderr.split("\n")[0]).to.equal("proclist: error: unknown option '--nope'");
    const missing = await proclist(["history"]);
    expect(missing.code).to.equal(64);
    expect(missing.stderr).to.match(/^proclist: error: missing required argument 'id'/);
    const escaped = await proclist(["ls", "--\u001b[31mred"]);
    expect(escaped.stderr).to.not.contain("\u001b");
  });

  it("kill --json prints what was done, and with --wait how it ended, as JSON lines", async () => {
    void blocked(a.manager, "j1");
    const result = await proclist(["kill", "j1", "-m", "bye", "--wait", "--json", "-e", a.label]);
    expect(result.code, result.stderr).to.equal(0);
    const [asked, ended] = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(asked).to.deep.equal({ endpoint: a.label, id: "j1", cancelling: true, message: "bye" });
    expect(ended).to.deep.include({ endpoint: a.label, id: "j1", ended: true, outcome: "killed", status: "killed: bye" });
    expect(ended.durationMs).to.be.a("number");
    const all = await proclist(["kill", "--name", "x", "--all", "--json", "-e", a.label]);
    expect(all.code).to.equal(64);
    expect(all.stderr).to.contain("--json is for one task id");
  });
});
