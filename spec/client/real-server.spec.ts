import { expect } from "chai";
import {
  AuthenticationError,
  CancelForbiddenError,
  HttpStatusError,
  ProcessManager,
  ProclistClient,
  serve,
  TaskNotFoundError,
  type RemoteError,
  type RemoteEvent,
  type ServedApi,
} from "../../lib";
import { blocked, rejectionOf, releaseAll, tick } from "../helpers";
import { startApi } from "../http/http-helpers";

describe("ProclistClient against a real proclist server", () => {
  let manager: ProcessManager;
  let api: ServedApi;

  beforeEach(async () => {
    manager = new ProcessManager();
    api = await startApi({ manager });
  });

  afterEach(async () => {
    releaseAll();
    await api.close();
  });

  it("reads the list, one task, its history, finished tasks and stats, with proclist's extra fields", async () => {
    const before = Date.now();
    blocked(manager, "parent", { name: "Jobs.run", attrs: { tenant: { id: 7 }, retries: 2 }, statuses: ["loading"] });
    manager.run(() => blocked(manager, "child", { forbidCancel: true }), { id: "outer" }).catch(() => undefined);
    await manager.run(async (task) => task.status("quick"), { id: "done-1", name: "Quick" });
    const client = new ProclistClient(api.url);

    const { procs, serverTime } = await client.processes();
    const parent = procs.find((p) => p.id === "parent")!;
    expect(parent).to.deep.include({ name: "Jobs.run", status: "loading", cancelling: false, attrs: { tenant: { id: 7 }, retries: 2 } });
    expect(parent.procTime).to.be.within(before - 1, serverTime);
    expect(procs.find((p) => p.id === "child")).to.deep.include({ parent: "outer", forbidCancel: true });

    expect(await client.task("parent")).to.deep.include({ running: true });
    const ended = await client.task("done-1");
    expect(ended.running).to.equal(false);
    expect(ended.proc).to.deep.include({ outcome: "ended", status: "ended", name: "Quick" });

    expect((await client.history("done-1")).history.map((e) => e.status)).to.deep.equal(["init", "quick", "ended"]);
    expect((await client.finished()).finished.map((p) => p.id)).to.include("done-1");
    const quick = (await client.stats()).stats.find((s) => s.name === "Quick")!;
    expect(quick).to.deep.include({ started: 1, ended: 1, running: 0 });
    expect(quick.phases).to.have.property("quick");
  });

  it("kills with a message, and answers TaskNotFoundError and CancelForbiddenError with the id", async () => {
    const ended = blocked(manager, "victim");
    blocked(manager, "locked", { forbidCancel: true });
    const client = new ProclistClient(api.url);
    await client.kill("victim", "enough");
    expect(
      await ended.then(
        () => "ended",
        (e: Error) => e.message,
      ),
    ).to.equal('task "victim" was cancelled: enough');
    expect(await rejectionOf(client.kill("victim")))
      .to.be.instanceOf(TaskNotFoundError)
      .and.have.property("id", "victim");
    expect(await rejectionOf(client.history("nope"))).to.be.instanceOf(TaskNotFoundError);
    expect(await rejectionOf(client.task("nope"))).to.be.instanceOf(TaskNotFoundError);
    expect(await rejectionOf(client.kill("locked")))
      .to.be.instanceOf(CancelForbiddenError)
      .and.have.property("id", "locked");
  });

  it("reaches tasks called events or finished, whose GET paths are the server's own routes", async () => {
    const client = new ProclistClient(api.url);
    for (const id of ["events", "finished"]) {
      const ended = blocked(manager, id, { name: "Odd", statuses: ["waiting"] });
      expect(await client.task(id)).to.deep.include({ running: true });
      expect((await client.task(id)).proc).to.deep.include({ id, name: "Odd", status: "waiting" });
      await client.kill(id, "bye");
      await rejectionOf(ended);
      expect(await client.task(id)).to.deep.include({ running: false });
      expect((await client.history(id)).history.map((e) => e.status)).to.deep.equal([
        "init",
        "waiting",
        "[cancel request: bye]",
        "killed: bye",
      ]);
    }
  });

  it("reports protected mode's 403 as the server's refusal, not as a task that forbids cancelling", async () => {
    const remote = await serve({ port: 0, manager, peer: () => "10.0.0.9" });
    try {
      blocked(manager, "t");
      const error = await rejectionOf(new ProclistClient(remote.url).kill("t"));
      expect(error).to.be.instanceOf(HttpStatusError).and.have.property("status", 403);
      expect((error as Error).message).to.contain("protected mode");
    } finally {
      await remote.close();
    }
  });

  it("sends its token, and answers a missing one with AuthenticationError", async () => {
    const locked = await serve({ port: 0, manager, token: "s3cret" });
    try {
      expect(await rejectionOf(new ProclistClient(locked.url).processes())).to.be.instanceOf(AuthenticationError);
      expect((await new ProclistClient(locked.url, { token: "s3cret" }).processes()).procs).to.be.an("array");
    } finally {
      await locked.close();
    }
  });

  it("follows events with a filter, and picks the stream up again after the server restarts on its port, with a reset first", async () => {
    const client = new ProclistClient(api.url);
    const lost: RemoteError[] = [];
    const seen: RemoteEvent[] = [];
    const controller = new AbortController();
    const following = (async () => {
      for await (const event of client.events({
        name: "Watched",
        minRetryMs: 20,
        maxRetryMs: 100,
        signal: controller.signal,
        onDisconnect: (e) => lost.push(e),
      }))
        seen.push(event);
    })();
    while (!manager.events.active) await tick(10);
    manager.start("other", { name: "Ignored" });
    manager.start("w1", { name: "Watched" });
    while (seen.length < 1) await tick(10);

    const port = api.port;
    await api.close();
    api = await serve({ port, manager });
    while (!manager.events.active) await tick(10);
    manager.status("w1", "after the restart");
    while (seen.length < 3) await tick(10);
    controller.abort();
    await following;

    // The restarted server has not kept what was sent meanwhile: it says so (reset), then goes on.
    expect(seen.map((e) => e.type)).to.deep.equal(["start", "reset", "status"]);
    expect(seen[2]).to.include({ id: "w1", status: "after the restart" });
    expect(lost.length).to.be.at.least(1);
  });
});
