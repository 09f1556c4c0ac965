import { expect } from "chai";
import { silentServer, waitFor } from "../helpers";
import { startApi } from "../http/http-helpers";
import { site, startTop, topRows as rows, type Site } from "./fixture";
import type { TmuxSession } from "./tmux";

describe("proclist top's force key K (tmux)", function () {
  this.timeout(60_000);
  let a: Site;
  let tmux: TmuxSession | undefined;
  const silent = silentServer();

  beforeEach(async () => {
    a = await site();
  });
  afterEach(async () => {
    await tmux?.close();
    tmux = undefined;
    for (const task of a.manager.list()) a.manager.done(task.id);
    await a.api.close();
  });

  it("force-kills after the grace: the fetch the task awaits is aborted, the task ends killed, and top says which rung it took", async () => {
    const ended = a.manager.run(() => fetch(`${silent.url}/charge`).then((r) => r.text()), { id: "charge-1", name: "Payments.charge" });
    ended.catch(() => undefined);
    await waitFor("the fetch to be awaited", () => a.manager.get("charge-1")?.waits !== undefined);
    tmux = await startTop(`-e ${a.label} --grace 300ms`, { width: 200 });
    await tmux.waitFor("the task and the K key", (s) => rows(s).length === 1 && s.includes("k kill  K force"));
    await tmux.keys("K");
    await tmux.waitFor("the message prompt", (s) => s.includes(`Force-kill task "charge-1" on ${a.label}: message (optional)`));
    await tmux.keys("upstream hung", "Enter");
    await tmux.waitFor("the confirmation", (s) =>
      s.includes(
        `Force-kill task "charge-1" on ${a.label} with message "upstream hung", forcing it if it still runs 300ms after the cancel? y to confirm`,
      ),
    );
    await tmux.keys("y");
    const screen = await tmux.waitFor("the forced kill's outcome", (s) =>
      s.includes("forced: awaited operations aborted; it ended killed"),
    );
    expect(screen).to.contain(
      `task charge-1 still running after 300ms; forced: awaited operations aborted; it ended killed (on ${a.label})`,
    );
    await tmux.waitFor("the task gone from the list", (s) => rows(s).length === 0);
    const history = a.manager.history("charge-1").map((h) => h.status);
    expect(history).to.include("[cancel request: upstream hung]");
    expect(history.some((s) => /^\[force waits by .*: aborted fetch GET 127\.0\.0\.1:\d+\/charge\]$/.test(s))).to.equal(
      true,
      history.join("\n"),
    );
    await tmux.keys("q");
    await tmux.waitFor("top to exit", (s) => s.includes("top exited with 0"));
  });

  it("shows a task with nothing to force as ignoring its cancel, for how long, and forces a task already cancelling at once", async () => {
    a.manager.run(() => new Promise<void>(() => undefined), { id: "spin-1", name: "Report.render" }).catch(() => undefined);
    tmux = await startTop(`-e ${a.label} --grace 0`, { width: 200 });
    await tmux.waitFor("the task", (s) => rows(s).length === 1);
    await tmux.keys("K");
    await tmux.waitFor("the message prompt", (s) => s.includes("message (optional)"));
    await tmux.keys("Enter");
    await tmux.waitFor("the confirmation", (s) => s.includes(`Force-kill task "spin-1" on ${a.label}, forcing at once? y to confirm`));
    await tmux.keys("y");
    let screen = await tmux.waitFor("the outcome", (s) => s.includes("it still runs: marked as ignoring its cancel"));
    expect(screen).to.contain("task spin-1 still running after 0ms; nothing to force; it still runs: marked as ignoring its cancel");
    // The status says for how long, counted from the cancel, and grows as top refreshes.
    screen = await tmux.waitFor("the ignoring mark with a duration of a second or more", (s) =>
      /\(ignoring its cancel for \d+\.\d\ds\)/.test(s),
    );
    expect(a.manager.get("spin-1")!.ignoringCancelSince).to.be.a("number");
    // Already cancelling: a second K gives it no more grace.
    await tmux.keys("K", "Enter");
    await tmux.waitFor("the confirmation at once", (s) => s.includes(`Force-kill task "spin-1" on ${a.label}, forcing at once?`));
    await tmux.keys("n");
    await tmux.waitFor("the kill cancelled", (s) => s.includes("kill cancelled"));
    await tmux.keys("q");
    await tmux.waitFor("top to exit", (s) => s.includes("top exited with 0"));
  });

  it("offers K only where the token has the force right, and says why when a token may cancel but not force", async () => {
    const api = await startApi({ token: { ops: { token: "ops-token", can: ["read", "cancel", "force:Reports.*"] } } });
    try {
      api.manager.run(() => new Promise<void>(() => undefined), { id: "charge", name: "Billing.charge" }).catch(() => undefined);
      tmux = await startTop(`-e 127.0.0.1:${api.port}`, { width: 200, token: "ops-token" });
      await tmux.waitFor("the task and both keys", (s) => rows(s).length === 1 && s.includes("k kill  K force"));
      await tmux.keys("K");
      await tmux.waitFor(
        "the refusal",
        (s) => s.includes("the token may not force-kill Billing.charge") && !s.includes("message (optional)"),
      );
      expect(api.manager.get("charge")!.cancelling).to.equal(false);
      await tmux.close();

      const reader = await startApi({ token: { cancels: { token: "cancel-token", can: ["read", "cancel"] } } });
      try {
        reader.manager.run(() => new Promise<void>(() => undefined), { id: "daily", name: "Reports.daily" }).catch(() => undefined);
        tmux = await startTop(`-e 127.0.0.1:${reader.port}`, { width: 200, token: "cancel-token" });
        const screen = await tmux.waitFor("the key line without K", (s) => rows(s).length === 1 && s.includes("k kill  / filter"));
        expect(screen).to.not.contain("K force");
        for (const task of reader.manager.list()) reader.manager.done(task.id);
      } finally {
        await reader.close();
      }
    } finally {
      for (const task of api.manager.list()) api.manager.done(task.id);
      await api.close();
    }
  });
  it("reads the token's rights again when an endpoint answers after being down: restarted with the token made read-only, it is offered no k", async () => {
    const rights = (can: string[]) => ({ token: { ops: { token: "ops-token", can } } });
    let api = await startApi(rights(["read", "cancel", "force"]));
    const { manager, port } = api;
    try {
      manager.run(() => new Promise<void>(() => undefined), { id: "daily", name: "Reports.daily" }).catch(() => undefined);
      tmux = await startTop(`-e 127.0.0.1:${port}`, { width: 200, token: "ops-token" });
      await tmux.waitFor("the task and both keys", (s) => rows(s).length === 1 && s.includes("k kill  K force"));
      await api.close();
      await tmux.waitFor("the endpoint down", (s) => s.includes("DOWN"));
      api = await startApi({ ...rights(["read"]), manager, port });
      const screen = await tmux.waitFor("the key line without k", (s) => !s.includes("DOWN") && s.includes("Enter history  / filter"));
      expect(screen).to.not.contain("K force");
      await tmux.keys("k");
      await tmux.waitFor("the refusal", (s) => s.includes("the token may not cancel Reports.daily"));
      expect(manager.get("daily")!.cancelling).to.equal(false);
    } finally {
      for (const task of manager.list()) manager.done(task.id);
      await api.close();
    }
  });
});
