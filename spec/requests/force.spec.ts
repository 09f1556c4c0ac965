import { expect } from "chai";
import { Agent, createServer, get, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { forceClosed } from "../../lib/requests/kill-answer";
import { connect } from "node:net";
import { ProclistClient, serve, trackRequests, type ProcessManager, type ServedApi } from "../../lib";
import { freshManager, listenOnLoopback, statuses } from "../helpers";
import { closeServer, until } from "./fixture";
import { formatStatus } from "../../lib/cli/format";

describe("forcing a request that ignores its cancel", () => {
  let pm: ProcessManager;
  let server: Server;
  let url: string;
  let api: ServedApi;
  /** Handlers still awaiting: each waits on a promise that never settles, as code that never got the signal does. */
  let stuck: number;

  /** `/stream` answers headers and a first line, then waits for ever; `/silent` waits for ever before answering anything. Neither watches its signal. */
  function handler(req: IncomingMessage, res: ServerResponse): void {
    stuck++;
    if (req.url === "/stream") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first line\n");
    }
    void new Promise<void>(() => undefined).then(() => res.end("never"));
  }

  beforeEach(async () => {
    pm = freshManager();
    stuck = 0;
    server = createServer(handler);
    trackRequests(server, { manager: pm, idHeader: "x-request-id" });
    url = (await listenOnLoopback(server)).url;
    api = await serve({ manager: pm, port: 0 });
  });
  afterEach(async () => {
    await closeServer(server);
    await api.close();
  });

  /** Sends a request to `/stream` and resolves once its first line is in, with what the response will end as. */
  function open(path: string, id: string): Promise<{ closed: Promise<{ complete: boolean; status: number | undefined; body: string }> }> {
    return new Promise((ready, fail) => {
      const req = get(`${url}${path}`, { headers: { "x-request-id": id }, agent: false }, (res) => {
        let body = "";
        const closed = new Promise<{ complete: boolean; status: number | undefined; body: string }>((done) => {
          res.on("data", (chunk: Buffer) => {
            body += chunk.toString();
            if (body === "first line\n") ready({ closed });
          });
          res.on("error", () => undefined);
          res.on("close", () => done({ complete: res.complete, status: res.statusCode, body }));
        });
      });
      req.on("error", fail);
    });
  }

  it("closes the connection of a response already begun after graceMs, and the task ends killed with the rung recorded", async () => {
    const { closed } = await open("/stream", "s1");
    const result = await pm.kill("s1", "stuck", { force: true, graceMs: 200, by: "ops" });
    const end = await closed;
    expect(end.complete, "the response was cut, not finished").to.equal(false);
    expect(end.body).to.equal("first line\n");
    expect(result).to.deep.include({ ended: true, outcome: "killed", cooperated: false, rungs: ["request"], ignoringCancel: false });
    expect(pm.get("s1")).to.include({ outcome: "killed" });
    expect(statuses(pm, "s1")).to.deep.equal([
      "init",
      "[cancel request: stuck]",
      "[force request by ops: connection closed (its response had begun)]",
      "killed: stuck",
    ]);
  });

  it("answers a request not yet answered with the kill status at the cancel, so nothing is left to force", async () => {
    const answer = fetch(`${url}/silent`, { headers: { "x-request-id": "s2" } });
    await until(() => stuck === 1);
    const result = await pm.kill("s2", "stuck", { force: true, graceMs: 60_000 });
    expect(result).to.deep.include({ ended: true, outcome: "killed", cooperated: true, rungs: [] });
    expect((await answer).status).to.equal(503);
  });

  it("DELETE /procs/<id> with force answers once the ladder is over, saying which rungs were taken, recorded with the peer", async () => {
    const { closed } = await open("/stream", "s3");
    const client = new ProclistClient(`127.0.0.1:${api.port}`);
    const killed = await client.kill("s3", { message: "stuck", force: true, graceMs: 200 });
    expect(killed).to.deep.equal({
      id: "s3",
      message: "stuck",
      force: { graceMs: 200, ended: true, outcome: "killed", cooperated: false, rungs: ["request"], ignoringCancel: false },
    });
    expect((await closed).complete).to.equal(false);
    expect(statuses(pm, "s3")).to.include("[force request by 127.0.0.1: connection closed (its response had begun)]");
  });

  it("lists a task still running after every rung as ignoring its cancel (ignoringCancelSince), for the client and ls", async () => {
    let release!: () => void;
    void pm.run(() => new Promise<void>((resolve) => (release = resolve)), { id: "deaf" });
    const client = new ProclistClient(`127.0.0.1:${api.port}`);
    const killed = await client.kill("deaf", { force: true, graceMs: 0 });
    expect(killed.force).to.deep.include({ ended: false, rungs: [], ignoringCancel: true });
    const proc = (await client.processes()).procs.find((p) => p.id === "deaf")!;
    expect(proc.ignoringCancelSince).to.be.closeTo(pm.get("deaf")!.cancelTime, 0.002);
    expect(proc.status).to.match(/^\[ignored cancel for \d+\.\d s\]$/);
    expect(formatStatus(proc.status, proc.cancelling, proc.ignoringCancelSince !== undefined)).to.match(/\(ignoring its cancel\)$/);
    release();
  });

  it("answers a forced DELETE whose grace outlasts the server's idle timeout: the connection is not cut as idle while the ladder runs", async () => {
    let release!: () => void;
    void pm.run(() => new Promise<void>((resolve) => (release = resolve)), { id: "slow" });
    // The served API cuts a connection idle for 30 s; here for 200 ms, with a grace five times that.
    api.server.setTimeout(200);
    const answer = await fetch(`http://127.0.0.1:${api.port}/procs/slow`, { method: "DELETE", body: '{"force":true,"graceMs":1000}' });
    expect(answer.status).to.equal(200);
    expect(((await answer.json()) as { force: { graceMs: number } }).force).to.deep.include({ graceMs: 1000, ignoringCancel: true });
    release();
  });

  it("refuses a grace without force, a bad grace, and a bad force with a 400 that kills nothing", async () => {
    await open("/stream", "s4");
    for (const body of [
      '{"graceMs":200}',
      '{"force":true,"graceMs":-1}',
      '{"force":true,"graceMs":"2s"}',
      '{"force":"yes"}',
      '{"force":true,"graceMs":3600001}',
    ]) {
      const answer = await fetch(`http://127.0.0.1:${api.port}/procs/s4`, { method: "DELETE", body });
      expect(answer.status, body).to.equal(400);
      expect(((await answer.json()) as { error: string }).error, body).to.match(/graceMs|force/);
    }
    expect(pm.get("s4")!.cancelling).to.equal(false);
  });
});

describe("forcing a request pipelined behind another on one connection", () => {
  let pm: ProcessManager;
  let server: Server;
  let port: number;
  /** Ends the response of `/first` (it waits until told). */
  let finishFirst: (() => void) | undefined;

  beforeEach(async () => {
    pm = freshManager();
    finishFirst = undefined;
    // `/first` answers when the spec says so; `/second` ignores its signal and never answers.
    server = createServer((req, res) => {
      if (req.url === "/first") finishFirst = () => res.end("first done");
    });
    trackRequests(server, { manager: pm, idHeader: "x-request-id" });
    port = (await listenOnLoopback(server)).port;
  });
  afterEach(() => closeServer(server));

  it("leaves the connection to the earlier request: it answers, then the forced one's kill status follows and its task ends killed", async () => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write(
      "GET /first HTTP/1.1\r\nHost: x\r\nx-request-id: first\r\n\r\n" + "GET /second HTTP/1.1\r\nHost: x\r\nx-request-id: second\r\n\r\n",
    );
    await until(() => finishFirst !== undefined && pm.get("second") !== undefined);
    const forced = pm.kill("second", "stuck", { force: true, graceMs: 0, by: "ops" });
    const result = await forced;
    expect(pm.get("first")!.running, "the earlier request's task is untouched").to.equal(true);
    expect(pm.get("first")!.cancelling).to.equal(false);
    expect(result).to.deep.include({ rungs: ["request"] });
    expect(statuses(pm, "second")).to.include(
      "[force request by ops: its answer waits behind an earlier response on its connection, left open]",
    );
    finishFirst!();
    await until(() => !pm.get("second")!.running);
    expect(pm.get("first")).to.include({ outcome: "ended" });
    expect(pm.get("second")).to.include({ outcome: "killed" });
    await until(() => received.includes("first done") && received.includes("HTTP/1.1 503"));
    expect(received.indexOf("first done")).to.be.lessThan(received.indexOf("HTTP/1.1 503"));
    socket.destroy();
    await closed;
  });

  it("leaves alone the connection of a response sent in full whose task has not yet seen it close (the next request may be on it)", async () => {
    const actions: (string | undefined)[] = [];
    server.removeAllListeners("request");
    server.on("request", (_req: IncomingMessage, res: ServerResponse) => {
      // Between the response's finish and its close (a tick later), the task still runs.
      res.on("finish", () => actions.push(forceClosed(res, 503, new Error("stuck"))));
      res.end("done");
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) =>
      new Promise<string>((resolve, reject) =>
        request(`http://127.0.0.1:${port}${path}`, { agent }, (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString()));
          res.on("end", () => resolve(body));
        })
          .on("error", reject)
          .end(),
      );
    expect(await get("/one")).to.equal("done");
    expect(await get("/two")).to.equal("done");
    expect(actions).to.deep.equal([undefined, undefined]);
    agent.destroy();
  });
});
