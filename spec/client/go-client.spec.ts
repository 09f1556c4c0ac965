import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ProclistClient, serve, type ProcessManager, type ServedApi } from "../../lib";
import { blocked, rejectionOf, releaseAll, waitFor } from "../helpers";
import { call, startApi } from "../http/http-helpers";

// What the original Go library's client sends with every request.
const GO_PM = { accept: "application/json", "content-type": "application/json", "user-agent": "go-pm" };
// What a Go program on plain net/http sends.
const GO_DEFAULT = { "user-agent": "Go-http-client/1.1", "accept-encoding": "gzip" };

const TYPED = { rows: 3, ok: true, tags: ["a", "b"], where: { dc: "eu" }, host: "10.0.0.7", none: null };
const AS_STRINGS = { rows: "3", ok: "true", tags: '["a","b"]', where: '{"dc":"eu"}', host: "10.0.0.7", none: "null" };

/** A task with typed attributes, running until `releaseAll`, and one finished. */
function tasks(manager: ProcessManager): void {
  void blocked(manager, "q1", { attrs: TYPED });
  manager.start("q2", { attrs: { rows: 7 } });
  manager.done("q2");
}

describe("Answers to the original Go library's clients", () => {
  let api: ServedApi & { manager: ProcessManager };
  afterEach(async () => {
    releaseAll();
    await api.close();
  });

  it("give attribute values as strings in /procs/, /procs/<id> and /procs/finished to the Go client's User-Agent", async () => {
    api = await startApi();
    tasks(api.manager);
    for (const headers of [GO_PM, GO_DEFAULT]) {
      const list = await call(api, "GET", "/procs/", { headers });
      expect(list.json.procs.map((p: { attrs: unknown }) => p.attrs)).to.deep.equal([AS_STRINGS]);
      const one = await call(api, "GET", "/procs/q1", { headers });
      expect(one.json.proc.attrs).to.deep.equal(AS_STRINGS);
      const ended = await call(api, "GET", "/procs/q2", { headers });
      expect(ended.json).to.deep.include({ running: false });
      expect(ended.json.proc.attrs).to.deep.equal({ rows: "7" });
      expect((await call(api, "GET", "/procs/finished", { headers })).json.finished[0].attrs).to.deep.equal({ rows: "7" });
      expect((await call(api, "GET", "/procs/?attr.rows=3", { headers })).json.procs[0].attrs).to.deep.equal(AS_STRINGS);
    }
  });

  it("keep the typed values for proclist's own client and every other caller, at the same moment", async () => {
    api = await startApi();
    tasks(api.manager);
    // The Go client first, so that its answers are cached when the others ask.
    expect((await call(api, "GET", "/procs/", { headers: GO_PM })).json.procs[0].attrs.rows).to.equal("3");
    expect((await call(api, "GET", "/procs/?attr.rows=3", { headers: GO_PM })).json.procs[0].attrs.rows).to.equal("3");
    const client = new ProclistClient(api.url);
    expect((await client.processes()).procs[0].attrs).to.deep.equal(TYPED);
    expect((await client.processes({ attrs: { rows: "3" } })).procs[0].attrs).to.deep.equal(TYPED);
    expect((await client.task("q1")).proc.attrs).to.deep.equal(TYPED);
    expect((await client.finished()).finished[0].attrs).to.deep.equal({ rows: 7 });
    expect((await call(api, "GET", "/procs/")).json.procs[0].attrs).to.deep.equal(TYPED);
    expect((await call(api, "GET", "/procs/", { headers: { "user-agent": "curl/8.5.0" } })).json.procs[0].attrs).to.deep.equal(TYPED);
  });

  it("follow a change of the task after a Go client's answer was cached", async () => {
    api = await startApi();
    const task = api.manager.start("q", { attrs: { n: 1 } });
    expect((await call(api, "GET", "/procs/", { headers: GO_PM })).json.procs[0].attrs).to.deep.equal({ n: "1" });
    task.setAttribute("n", 2);
    expect((await call(api, "GET", "/procs/", { headers: GO_PM })).json.procs[0].attrs).to.deep.equal({ n: "2" });
    expect((await call(api, "GET", "/procs/q", { headers: GO_PM })).json.proc.attrs).to.deep.equal({ n: "2" });
    api.manager.done("q");
  });

  it("follow the stringAttrs option: never for a Go program of one's own, always behind a proxy that rewrites the User-Agent", async () => {
    api = await startApi({ stringAttrs: "never" });
    tasks(api.manager);
    expect((await call(api, "GET", "/procs/", { headers: GO_PM })).json.procs[0].attrs).to.deep.equal(TYPED);
    expect((await call(api, "GET", "/procs/q1", { headers: GO_DEFAULT })).json.proc.attrs).to.deep.equal(TYPED);
    releaseAll();
    await api.close();
    api = await startApi({ stringAttrs: "always" });
    tasks(api.manager);
    expect((await call(api, "GET", "/procs/")).json.procs[0].attrs).to.deep.equal(AS_STRINGS);
    expect((await call(api, "GET", "/procs/q1")).json.proc.attrs).to.deep.equal(AS_STRINGS);
  });

  it("answers paths that start with two slashes (a base URL given with a trailing slash) as the clean path", async () => {
    api = await startApi();
    void blocked(api.manager, "q1", { attrs: { rows: 3 } });
    expect((await call(api, "GET", "//procs/", { headers: GO_PM })).json.procs[0].attrs).to.deep.equal({ rows: "3" });
    expect((await call(api, "GET", "//procs/q1/history")).json.history[0].status).to.equal("init");
    expect((await call(api, "GET", "///procs/q1")).status).to.equal(200);
    expect((await call(api, "GET", "//procs/nope/history")).status).to.equal(404);
    expect((await call(api, "DELETE", "//procs/q1", { body: '{"message":"stuck"}' })).status).to.equal(200);
    expect(api.manager.get("q1")!.cancelling).to.equal(true);
  });

  it("refuses a stringAttrs value it does not know, naming the option", async () => {
    api = await startApi();
    const error = await rejectionOf(serve({ port: 0, stringAttrs: "sometimes" as never }));
    expect(error)
      .to.be.instanceOf(TypeError)
      .and.have.property("message")
      .that.matches(/stringAttrs/);
  });
});

/** Runs the monitor built from spec/client/go/pm-monitor.go; resolves with its exit code and output. */
function monitor(binary: string, args: string[]): Promise<{ code: number; out: any; stderr: string }> {
  return new Promise((done) => {
    execFile(binary, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      let out: unknown;
      try {
        out = JSON.parse(stdout);
      } catch {
        out = stdout;
      }
      done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, out, stderr });
    });
  });
}

describe("A Go monitor built with the Go toolchain, reading proclist as the original's client does", function () {
  this.timeout(300_000);
  let binary: string;
  let folder: string;
  let api: ServedApi & { manager: ProcessManager };

  before(async function () {
    const go = await new Promise<boolean>((done) => execFile("go", ["version"], (error) => done(error === null)));
    if (!go) {
      console.log("    go is not installed (apt-get install golang-go): the Go monitor specs are skipped");
      return this.skip();
    }
    folder = mkdtempSync(join(tmpdir(), "proclist-go-"));
    binary = join(folder, "pm-monitor");
    const source = resolve(__dirname, "../../../spec/client/go/pm-monitor.go");
    // Standard library only: no module proxy, no network.
    const env = {
      ...process.env,
      GOPROXY: "off",
      GOFLAGS: "",
      GO111MODULE: "on",
      GOCACHE: process.env.GOCACHE ?? join(tmpdir(), "proclist-go-cache"),
    };
    await new Promise<void>((done, fail) =>
      execFile("go", ["build", "-o", binary, source], { cwd: folder, env }, (error, _out, stderr) =>
        error === null ? done() : fail(new Error(`go build failed: ${stderr}`)),
      ),
    );
  });
  after(() => folder !== undefined && rmSync(folder, { recursive: true, force: true }));
  afterEach(async () => {
    releaseAll();
    await api?.close();
  });

  it("lists, reads one task, reads a history and kills, with typed attributes shown as strings", async () => {
    api = await startApi();
    void blocked(api.manager, "q1", { attrs: TYPED, statuses: ["reading"] });
    for (const agent of ["go-pm", "go-default"]) {
      const list = await monitor(binary, ["-agent", agent, api.url, "list"]);
      expect(list.code, list.stderr).to.equal(0);
      expect(list.out).to.have.length(1);
      expect(list.out[0]).to.deep.include({ id: "q1", status: "reading", cols: AS_STRINGS });
      expect(list.out[0].ageSec).to.be.at.least(0);
      const one = await monitor(binary, ["-agent", agent, api.url, "task", "q1"]);
      expect(one.code, one.stderr).to.equal(0);
      expect(one.out).to.deep.include({ id: "q1", cols: AS_STRINGS });
    }
    const history = await monitor(binary, [api.url, "history", "q1"]);
    expect(history.out).to.deep.equal(["init", "reading"]);
    const kill = await monitor(binary, [api.url, "kill", "q1", "stuck"]);
    expect(kill).to.deep.include({ code: 0, out: "killed" });
    await waitFor("q1 to end", () => api.manager.get("q1")?.running === false);
    expect(api.manager.get("q1")!.history.lastStatus).to.contain("stuck");
  });

  it("works when given the base URL with a trailing slash, as the original's router allowed", async () => {
    api = await startApi();
    void blocked(api.manager, "q1", { attrs: { rows: 3 }, statuses: ["reading"] });
    const list = await monitor(binary, [`${api.url}/`, "list"]);
    expect(list.code, list.stderr).to.equal(0);
    expect(list.out[0]).to.deep.include({ id: "q1", cols: { rows: "3" } });
    expect((await monitor(binary, [`${api.url}/`, "history", "q1"])).out).to.deep.equal(["init", "reading"]);
    expect(await monitor(binary, [`${api.url}/`, "kill", "q1", "stuck"])).to.deep.include({ code: 0, out: "killed" });
    await waitFor("q1 to end", () => api.manager.get("q1")?.running === false);
  });

  it("panics on a typed value when the server is told to send them typed, as the original's monitor does", async () => {
    api = await startApi({ stringAttrs: "never" });
    void blocked(api.manager, "q1", { attrs: { rows: 3 } });
    const list = await monitor(binary, [api.url, "list"]);
    expect(list.code).to.not.equal(0);
    expect(list.stderr).to.contain("interface conversion: interface {} is float64, not string");
  });

  it("cannot address ids that need escaping, since the Go client puts them in the URL as they are", async () => {
    api = await startApi();
    for (const id of ["x?y", "50%", "a/b", "h#1"]) void blocked(api.manager, id);
    void blocked(api.manager, "plain-1");
    for (const id of ["x?y", "50%", "a/b", "h#1"]) {
      const history = await monitor(binary, [api.url, "history", id]);
      expect(history.code, `history of ${id}: ${JSON.stringify(history.out)}`).to.equal(1);
      expect(history.out.error).to.be.a("string");
      const kill = await monitor(binary, [api.url, "kill", id, "stop"]);
      expect(kill.code, `kill of ${id}`).to.equal(1);
      expect(api.manager.get(id)!.cancelling).to.equal(false);
    }
    expect((await monitor(binary, [api.url, "history", "plain-1"])).out).to.deep.equal(["init"]);
    const client = new ProclistClient(api.url);
    for (const id of ["x?y", "50%", "a/b", "h#1"]) {
      await client.kill(id, "stop");
      expect(api.manager.get(id)!.cancelling).to.equal(true);
    }
  });
});
