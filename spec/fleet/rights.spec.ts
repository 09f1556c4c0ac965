import { expect } from "chai";
import type { ProcessManager, ServedApi } from "../../lib";
import { blocked, waitFor } from "../helpers";
import { fleetPerSpec } from "./in-process";

describe("serveFleet: scoped tokens", function () {
  this.timeout(60_000);
  let api: ServedApi;
  let pm: ProcessManager;
  const token = {
    ops: "ops-token",
    reader: { token: "reader-token", can: ["read"] },
    reports: { token: "reports-token", can: ["read", "cancel:Reports.*"] },
    killer: { token: "killer-token", can: ["cancel:Reports.*"] },
    forcer: { token: "forcer-token", can: ["read", "cancel:Reports.*", "force"] },
  };
  fleetPerSpec("rights", (fleet) => ({ pm, api } = fleet), { token });
  const send = async (method: string, path: string, bearer: string) => {
    const res = await fetch(api.url + path, { method, headers: { authorization: `Bearer ${bearer}` } });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it("checks every route: a read token lists but gets 403 on DELETE; cancel:Reports.* kills only Reports tasks, by id and by filter", async () => {
    for (const [id, name] of [
      ["d1", "Reports.daily"],
      ["d2", "Reports.weekly"],
      ["c1", "Billing.charge"],
      ["c2", "Billing.charge"],
    ])
      void blocked(pm, id, { name, attrs: { tenant: "acme" } });
    await waitFor("the tasks published", async () => ((await send("GET", "/procs/", "reader-token")).body.procs as unknown[]).length === 4);
    const refused = await send("DELETE", "/procs/i1/d1", "reader-token");
    expect(refused.status).to.equal(403);
    expect(refused.body.error).to.contain('lacks the right "cancel"');
    expect((await send("GET", "/whoami", "reports-token")).body).to.deep.include({ label: "reports", can: ["read", "cancel:Reports.*"] });
    expect((await send("GET", "/instances", "reports-token")).status).to.equal(200);

    expect((await send("DELETE", "/procs/i1/d1", "reports-token")).status).to.equal(200);
    const other = await send("DELETE", "/procs/i1/c1", "reports-token");
    expect(other.status).to.equal(403);
    expect(other.body.error).to.contain('lacks the right "cancel" for task "i1/c1"');
    expect(pm.get("c1")!.cancelling).to.equal(false);

    const filtered = await send("DELETE", "/procs/?attr.tenant=acme", "reports-token");
    expect(filtered.status).to.equal(200);
    expect(filtered.body.cancelled).to.deep.equal(["i1/d2"]);
    expect(filtered.body.refused).to.have.members(["i1/c1", "i1/c2"]);
    expect(pm.get("c2")!.cancelling).to.equal(false);
    expect(pm.get("d2")!.killedBy).to.equal("reports@fleet-api");
  });

  it("a path with more than the id after it is no route: DELETE /procs/i1/<id>/x kills nothing and GET answers 404", async () => {
    void blocked(pm, "b1", { name: "Billing.charge" });
    await waitFor("the task published", async () => ((await send("GET", "/procs/", "reader-token")).body.procs as unknown[]).length === 1);
    for (const suffix of ["x", "history%20", "%68istory"]) {
      expect((await send("DELETE", `/procs/i1/b1/${suffix}`, "ops-token")).status).to.equal(404);
      expect((await send("GET", `/procs/i1/b1/${suffix}`, "ops-token")).status).to.equal(404);
    }
    expect(pm.get("b1")!.cancelling).to.equal(false);
    expect((await send("GET", "/procs/i1/b1/history", "ops-token")).status).to.equal(200);
    expect((await send("DELETE", "/procs/i1/b1", "ops-token")).status).to.equal(200);
  });

  it("a forced kill needs the cancel right for the name too, and a refusal names the task only to a token that may read", async () => {
    void blocked(pm, "c1", { name: "Billing.charge" });
    void blocked(pm, "d1", { name: "Reports.daily" });
    await waitFor("the tasks published", async () => ((await send("GET", "/procs/", "reader-token")).body.procs as unknown[]).length === 2);
    const force = (path: string) =>
      fetch(api.url + path, {
        method: "DELETE",
        headers: { authorization: "Bearer forcer-token", "content-type": "application/json" },
        body: JSON.stringify({ force: true, graceMs: 0 }),
      });
    const refused = await force("/procs/i1/c1");
    expect(refused.status).to.equal(403);
    expect(((await refused.json()) as { error: string }).error).to.contain(
      'token "forcer" lacks the right "cancel" for task "i1/c1" (named "Billing.charge")',
    );
    expect(pm.get("c1")!.cancelling).to.equal(false);
    const byFilter = (await (await force("/procs/?name=Billing.charge&name=Reports.daily")).json()) as Record<string, string[]>;
    expect(byFilter.refused).to.deep.equal(["i1/c1"]);
    expect(pm.get("c1")!.cancelling).to.equal(false);

    void blocked(pm, "c2", { name: "Billing.charge" });
    await waitFor("c2 published", async () => ((await send("GET", "/procs/", "reader-token")).body.procs as unknown[]).length >= 2);
    const blind = await send("DELETE", "/procs/i1/c2", "killer-token");
    expect(blind.status).to.equal(403);
    expect(blind.body.error).to.contain('lacks the right "cancel" for task "i1/c2"');
    expect(blind.body.error).not.to.contain("Billing");
  });
});
