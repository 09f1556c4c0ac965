import { expect } from "chai";
import type { ProcessManager, ServedApi } from "../../lib";
import type { WireKilled, WireKilledWhere, WireProcList } from "../../lib/wire/shapes";
import { proclist } from "../cli/fixture";
import { silentServer, waitFor } from "../helpers";
import { fleetPerSpec } from "./in-process";

describe("forced kills across the fleet", function () {
  this.timeout(60_000);
  let pm: ProcessManager;
  let api: ServedApi;
  let redisUrl: string;
  fleetPerSpec("forcing", (fleet) => ({ pm, api, redisUrl } = fleet));
  const silent = silentServer();

  afterEach(() => {
    for (const task of pm.list()) pm.done(task.id);
  });

  /** A task awaiting a call to the silent server, never passing its signal; resolves once the fleet lists it. */
  async function stuckOnFetch(id: string): Promise<void> {
    pm.run(() => fetch(`${silent.url}/${id}`).then((r) => r.text()), { id, name: "Payments.charge" }).catch(() => undefined);
    await waitFor("the task to await its fetch", () => pm.get(id)?.waits !== undefined);
    await waitFor("the fleet to list it", async () => (await list()).some((p) => p.id === `i1/${id}`));
  }

  async function list(): Promise<WireProcList["procs"]> {
    return ((await (await fetch(`${api.url}/procs/`)).json()) as WireProcList).procs;
  }

  function forceKill(path: string, body: object): Promise<Response> {
    return fetch(`${api.url}${path}`, { method: "DELETE", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  }

  it("serveFleet's DELETE with force takes the rungs on the instance and answers how far it got, by id and by filter", async () => {
    await stuckOnFetch("charge-1");
    const res = await forceKill("/procs/i1/charge-1", { message: "upstream hung", force: true, graceMs: 200 });
    expect(res.status).to.equal(200);
    const answer = (await res.json()) as WireKilled;
    expect(answer).to.deep.include({ id: "i1/charge-1", message: "upstream hung" });
    expect(answer.force).to.deep.equal({
      graceMs: 200,
      ended: true,
      outcome: "killed",
      cooperated: false,
      rungs: ["waits"],
      ignoringCancel: false,
    });
    expect(pm.history("charge-1").some((h) => /^\[force waits by .*: aborted fetch GET /.test(h.status))).to.equal(true);

    await stuckOnFetch("charge-2");
    const where = await forceKill("/procs/?name=Payments.charge", { force: true, graceMs: 0 });
    expect(where.status).to.equal(200);
    const forced = (await where.json()) as WireKilledWhere;
    expect(forced.cancelled).to.deep.equal(["i1/charge-2"]);
    expect(forced.forced).to.deep.equal([
      { id: "i1/charge-2", graceMs: 0, ended: true, outcome: "killed", cooperated: false, rungs: ["waits"], ignoringCancel: false },
    ]);
  });

  it("marks a task with nothing to force as ignoring its cancel, and the fleet's list says since when", async () => {
    pm.run(() => new Promise<void>(() => undefined), { id: "spin-1", name: "Report.render" }).catch(() => undefined);
    await waitFor("the fleet to list it", async () => (await list()).some((p) => p.id === "i1/spin-1"));
    const answer = (await (await forceKill("/procs/i1/spin-1", { force: true, graceMs: 0 })).json()) as WireKilled;
    expect(answer.force).to.deep.include({ ended: false, rungs: [], ignoringCancel: true });
    const row = await waitFor("the fleet to list it as ignoring its cancel", async () =>
      (await list()).find((p) => p.id === "i1/spin-1" && p.ignoringCancelSince !== undefined),
    );
    expect(Date.parse(row.ignoringCancelSince!)).to.equal(Math.floor(pm.get("spin-1")!.ignoringCancelSince!));
  });

  it("proclist kill --redis --force forces the task on its instance and prints how far it got", async () => {
    await stuckOnFetch("charge-3");
    const { code, stdout, stderr } = await proclist([
      "kill",
      "i1/charge-3",
      "--redis",
      redisUrl,
      "--service",
      "forcing",
      "--force",
      "--grace",
      "0",
    ]);
    expect(code, stderr).to.equal(0);
    expect(stdout).to.equal(
      "cancel requested: task charge-3 on i1\ntask charge-3 still running after 0ms; forced: awaited operations aborted; it ended killed\n",
    );
    expect(pm.finished().find((t) => t.id === "charge-3")).to.include({ outcome: "killed" });
  });
});
