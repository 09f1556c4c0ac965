import { expect } from "chai";
import { createServer, type Server } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { CancelError, ProcessManager, Status, TaskId, Tracked, currentTask } from "../../lib";
import { freshManager, listenOnLoopback, rejectionOf, statuses, tick } from "../helpers";

class Worker {
  constructor(readonly pm: ProcessManager) {}

  @Tracked()
  async sleepy(@TaskId() id: string, ms: number) {
    await sleep(ms, undefined, { signal: currentTask()!.signal });
    return "woke";
  }

  @Tracked()
  async download(@TaskId() id: string, url: string) {
    const response = await fetch(url, { signal: currentTask()!.signal });
    return response.text();
  }

  /** Ignores its signal: only its phases notice a kill. */
  @Tracked()
  async stubborn(@TaskId() id: string) {
    for (let i = 0; i < 1000; i++) {
      await sleep(5);
      this.phase(i);
    }
  }

  @Status((i: number) => `phase ${i}`)
  phase(i: number) {}
}

describe("cancellation", () => {
  let pm: ProcessManager;
  let worker: Worker;
  beforeEach(() => {
    pm = freshManager();
    worker = new Worker(pm);
  });

  it("aborts the task's signal at once with the CancelError as reason", () => {
    const task = pm.start("a");
    const signal = task.signal;
    expect(signal.aborted).to.equal(false);
    pm.kill("a", "stop");
    expect(signal.aborted).to.equal(true);
    expect(signal.reason).to.be.instanceOf(CancelError).and.have.property("reason", "stop");
  });

  it("hands out an already aborted signal when first asked after the kill", () => {
    const task = pm.start("a");
    pm.kill("a");
    expect(task.signal.aborted).to.equal(true);
    expect(task.signal.reason).to.be.instanceOf(CancelError);
  });

  it("ends a task blocked on an abortable timer at the kill", async () => {
    // A 60 s timer: only the abort can end it before the spec's timeout, so no time is asserted.
    const pending = rejectionOf(worker.sleepy("t", 60_000));
    await tick(5);
    pm.kill("t", "enough");
    const error = await pending;
    // the timer's AbortError surfaces as the task's CancelError, carrying the kill message
    expect(error).to.be.instanceOf(CancelError).and.have.property("reason", "enough");
    expect(statuses(pm, "t")).to.deep.equal(["init", "[cancel request: enough]", "killed: enough"]);
  });

  describe("of a fetch", () => {
    let server: Server;
    let url: string;
    before(async () => {
      // Answers headers, then never finishes the body: only an abort can end the download.
      server = createServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("partial");
      });
      url = `${(await listenOnLoopback(server)).url}/slow`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it("aborts the request in flight and records killed", async () => {
      const pending = rejectionOf(worker.download("f", url));
      await tick(50);
      expect(pm.list().map((t) => t.id)).to.deep.equal(["f"]);
      pm.kill("f", "too slow");
      // The body never finishes: only the abort can end the download before the spec's timeout.
      const error = await pending;
      expect(error).to.be.instanceOf(CancelError);
      expect(statuses(pm, "f").at(-1)).to.equal("killed: too slow");
    });
  });

  it("ends a task that ignores its signal at its next @Status", async () => {
    const pending = rejectionOf(worker.stubborn("s"));
    await tick(20);
    pm.kill("s", "halt");
    const error = await pending;
    expect(error).to.be.instanceOf(CancelError);
    const history = statuses(pm, "s");
    const request = history.indexOf("[cancel request: halt]");
    // exactly one more phase was recorded after the request: the cancellation point that threw
    expect(history.slice(request + 1)).to.have.length(2);
    expect(history.at(-1)).to.equal("killed: halt");
  });

  it("ends a task that ignores its signal at its next checkCancel", async () => {
    const pending = pm.run(
      async (task) => {
        for (;;) {
          await sleep(2);
          task.checkCancel();
        }
      },
      { id: "c" },
    );
    await tick(10);
    pm.kill("c");
    expect(await rejectionOf(pending)).to.be.instanceOf(CancelError);
    expect(statuses(pm, "c")).to.deep.equal(["init", "[cancel request]", "killed"]);
  });

  it("records an unrelated error after a kill as aborted", async () => {
    const pending = pm.run(
      async () => {
        await sleep(10);
        throw new Error("disk full");
      },
      { id: "e" },
    );
    pm.kill("e");
    expect(await rejectionOf(pending)).to.have.property("message", "disk full");
    expect(statuses(pm, "e").at(-1)).to.equal("aborted");
  });

  it("cancels a child started after its parent was killed", () => {
    pm.run(
      (parent) => {
        pm.kill(parent.id, "late");
        pm.run(
          (child) => {
            expect(child.cancelling).to.equal(true);
            expect(child.signal.aborted).to.equal(true);
          },
          { id: "child" },
        );
      },
      { id: "parent", swallowCancel: true },
    );
    expect(statuses(pm, "child")).to.include("[cancel request: late]");
  });
});
