import { expect } from "chai";
import { request } from "node:http";
import { createApp, type ProcessManager, type ServedApi } from "../../lib";
import { blocked, releaseAll } from "../helpers";
import { call, startApi } from "./http-helpers";

const TOKENS = {
  full: "full-token",
  reader: { token: "reader-token", can: ["read"] },
  canceller: { token: "canceller-token", can: ["cancel"] },
  reports: { token: "reports-token", can: ["read", "cancel:Reports.*"] },
  forcer: { token: "forcer-token", can: ["force"] },
  profiler: { token: "profiler-token", can: ["profile"] },
  auditor: { token: "auditor-token", can: ["audit"] },
};
type Label = keyof typeof TOKENS;
const LABELS = Object.keys(TOKENS) as Label[];
const bearer = (label: Label) => ({
  authorization: `Bearer ${typeof TOKENS[label] === "string" ? TOKENS[label] : (TOKENS[label] as { token: string }).token}`,
});

/** The status of a request, read from its head (an event stream never ends by itself). */
function statusOf(
  api: ServedApi,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const url = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers, agent: false }, (res) => {
      if (res.headers["content-type"]?.startsWith("text/event-stream")) {
        resolve({ status: res.statusCode!, body: "" });
        return void req.destroy();
      }
      let body = "";
      res
        .setEncoding("utf8")
        .on("data", (chunk: string) => (body += chunk))
        .on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("scoped tokens", () => {
  let api: ServedApi & { manager: ProcessManager };
  let pm: ProcessManager;
  beforeEach(async () => {
    api = await startApi({ token: TOKENS, metrics: true });
    pm = api.manager;
  });
  afterEach(async () => {
    releaseAll();
    await api.close();
  });

  describe("the allow/deny matrix: every route × every token", () => {
    // [method, path, the right it needs]; paths with "%ID%" get a fresh task of the given name.
    const routes: [string, string, string][] = [
      ["GET", "/procs/", "read"],
      ["HEAD", "/procs/", "read"],
      ["GET", "/procs/?name=Reports.daily", "read"],
      ["GET", "/procs/finished", "read"],
      ["GET", "/procs/events", "read"],
      ["GET", "/procs/%ID%", "read"],
      ["GET", "/procs/%ID%/history", "read"],
      ["GET", "/stats", "read"],
      ["GET", "/metrics", "read"],
      ["DELETE", "/procs/%ID%", "cancel"],
      ["DELETE", "/procs/?name=Reports.daily", "cancel"],
    ];
    const holds = (label: Label, right: string) =>
      label === "full" ||
      (typeof TOKENS[label] === "object" && (TOKENS[label] as { can: string[] }).can.some((c) => c === right || c.startsWith(`${right}:`)));
    let seq = 0;
    for (const [method, path, right] of routes) {
      it(`${method} ${path} needs "${right}"`, async () => {
        for (const label of LABELS) {
          const id = `r${++seq}`;
          void blocked(pm, id, { name: "Reports.daily" });
          const answer = await statusOf(api, method, path.replace("%ID%", id), bearer(label));
          if (holds(label, right)) {
            expect(answer.status, `${label}: ${answer.body}`).to.be.within(200, 299);
          } else {
            expect(answer.status, `${label}: ${answer.body}`).to.equal(403);
            if (method !== "HEAD") expect(JSON.parse(answer.body).error).to.contain(`lacks the right "${right}"`);
          }
        }
      });
    }

    it("GET /whoami answers every token its label and rights, and needs none", async () => {
      for (const label of LABELS) {
        const answer = await call(api, "GET", "/whoami", { headers: bearer(label) });
        expect(answer.status).to.equal(200);
        expect(answer.json.label).to.equal(label);
        expect(answer.json.can).to.deep.equal(
          label === "full" ? ["read", "cancel", "force", "profile", "audit"] : (TOKENS[label] as { can: string[] }).can,
        );
      }
      expect((await call(api, "GET", "/whoami")).status).to.equal(401);
    });
  });

  it("cancel:Reports.* kills Reports.daily and not Billing.charge, and the refusal names the right", async () => {
    void blocked(pm, "daily", { name: "Reports.daily" });
    void blocked(pm, "charge", { name: "Billing.charge" });
    const killed = await call(api, "DELETE", "/procs/daily", { headers: bearer("reports") });
    expect(killed.status).to.equal(200);
    expect(pm.get("daily")!.killedBy).to.equal("reports@127.0.0.1");
    const refused = await call(api, "DELETE", "/procs/charge", { headers: bearer("reports"), body: JSON.stringify({ message: "no" }) });
    expect(refused.status).to.equal(403);
    expect(refused.json.error).to.equal(
      'token "reports" lacks the right "cancel" for task "charge" (named "Billing.charge"); it has: read, cancel:Reports.*',
    );
    expect(pm.get("charge")!.running).to.equal(true);
    expect(pm.get("charge")!.cancelling).to.equal(false);
  });

  it("a forced kill needs the cancel right for the task's name too: cancel:Reports.* with force forces Reports.* only", async () => {
    await api.close();
    api = await startApi({
      token: {
        forcer: { token: "scoped-forcer", can: ["read", "cancel:Reports.*", "force"] },
        billing: { token: "billing-forcer", can: ["read", "cancel", "force:Billing.*"] },
      },
    });
    pm = api.manager;
    void blocked(pm, "charge", { name: "Billing.charge" });
    void blocked(pm, "charge2", { name: "Billing.charge" });
    void blocked(pm, "daily", { name: "Reports.daily" });
    const forced = { headers: { authorization: "Bearer scoped-forcer" }, body: JSON.stringify({ force: true, graceMs: 0 }) };
    const refused = await call(api, "DELETE", "/procs/charge", forced);
    expect(refused.status).to.equal(403);
    expect(refused.json.error).to.contain('lacks the right "cancel" for task "charge"');
    expect(pm.get("charge")!.cancelling).to.equal(false);
    const byFilter = await call(api, "DELETE", "/procs/?name=Billing.charge&name=Reports.daily", forced);
    expect(byFilter.json.cancelled).to.deep.equal(["daily"]);
    expect(byFilter.json.refused).to.have.members(["charge", "charge2"]);
    expect(pm.get("charge2")!.cancelling).to.equal(false);
    // The other way round: force limited to names, cancel for all.
    void blocked(pm, "weekly", { name: "Reports.weekly" });
    const billing = { headers: { authorization: "Bearer billing-forcer" }, body: JSON.stringify({ force: true, graceMs: 0 }) };
    const noForce = await call(api, "DELETE", "/procs/weekly", billing);
    expect(noForce.status).to.equal(403);
    expect(noForce.json.error).to.contain('lacks the right "force" for task "weekly"');
    expect((await call(api, "DELETE", "/procs/charge2", billing)).status).to.equal(200);
  });

  it("matches a glob against the whole name (* any run, ? one, the rest literal), in time linear in the name however many stars", async () => {
    const cases: [string, string, boolean][] = [
      ["Reports.*", "Reports.daily", true],
      ["Reports.*", "Reports.", true],
      ["Reports.*", "XReports.daily", false],
      ["*.daily", "Reports.daily", true],
      ["*.daily", "Reports.daily2", false],
      ["R?ports.*", "Reports.x", true],
      ["R?ports.*", "Rports.x", false],
      ["a*b*c", "aXXbYYc", true],
      ["a*b*c", "aXXcYYb", false],
      ["*", "x", true],
      ["[a].(b)+", "[a].(b)+", true],
      ["[a].(b)+", "a.bb", false],
      ["**x", "yx", true],
    ];
    const token = Object.fromEntries(cases.map(([glob], i) => [`t${i}`, { token: `glob-token-${i}`, can: ["read", `cancel:${glob}`] }]));
    await api.close();
    api = await startApi({ token: { ...token, slow: { token: "stars", can: ["cancel:*a*a*a*a*a*a*a*a*a*a*b"] } } });
    pm = api.manager;
    for (const [i, [glob, name, matches]] of cases.entries()) {
      void blocked(pm, `c${i}`, { name });
      const answer = await call(api, "DELETE", `/procs/c${i}`, { headers: { authorization: `Bearer glob-token-${i}` } });
      expect(answer.status, `${glob} against ${JSON.stringify(name)}`).to.equal(matches ? 200 : 403);
    }
    // Ten stars against a 200-character name (the longest a task has) that almost matches: answered, not backtracked for hours.
    void blocked(pm, "long", { name: "a".repeat(200) });
    expect((await call(api, "DELETE", "/procs/long", { headers: { authorization: "Bearer stars" } })).status).to.equal(403);
    expect(pm.get("long")!.cancelling).to.equal(false);
  });

  it("a refusal names the task only to a token that may read: a kill-only token learns no names from it", async () => {
    await api.close();
    api = await startApi({ token: { killer: { token: "killer-token", can: ["cancel:Reports.*"] } } });
    pm = api.manager;
    void blocked(pm, "charge", { name: "Billing.charge" });
    const refused = await call(api, "DELETE", "/procs/charge", { headers: { authorization: "Bearer killer-token" } });
    expect(refused.status).to.equal(403);
    expect(refused.json.error).to.equal('token "killer" lacks the right "cancel" for task "charge"; it has: cancel:Reports.*');
  });

  it("a kill by filter with a scoped token kills only what the token may kill; the rest is refused", async () => {
    for (const [id, name] of [
      ["d1", "Reports.daily"],
      ["d2", "Reports.weekly"],
      ["c1", "Billing.charge"],
    ])
      void blocked(pm, id, { name, attrs: { tenant: "acme" } });
    const answer = await call(api, "DELETE", "/procs/?attr.tenant=acme", { headers: bearer("reports") });
    expect(answer.status).to.equal(200);
    expect(answer.json.cancelled).to.have.members(["d1", "d2"]);
    expect(answer.json.refused).to.deep.equal(["c1"]);
    expect(pm.get("c1")!.cancelling).to.equal(false);
  });

  it("a server without tokens keeps every right (protected mode governs who reaches it)", async () => {
    await api.close();
    api = await startApi({ metrics: true });
    pm = api.manager;
    const whoami = await call(api, "GET", "/whoami");
    expect(whoami.json).to.deep.include({ label: "", can: ["read", "cancel", "force", "profile", "audit"] });
    void blocked(pm, "x", { name: "Billing.charge" });
    expect((await call(api, "DELETE", "/procs/x")).status).to.equal(200);
  });

  describe("bad configuration is refused at start, naming it", () => {
    const cases: [string, unknown, RegExp][] = [
      ["an unknown right", { alice: { token: "a", can: ["read", "delete"] } }, /"token\.alice\.can": unknown right "delete"/],
      ["an empty token", { alice: "" }, /"token\.alice": the token is empty/],
      ["an empty scoped token", { alice: { token: "", can: ["read"] } }, /"token\.alice\.token": the token is empty/],
      [
        "a token with a space",
        { alice: { token: "a b", can: ["read"] } },
        /"token\.alice\.token": a token is 1-4096 characters without spaces/,
      ],
      ["a token a header cannot carry", { alice: { token: "p€ss", can: ["read"] } }, /"token\.alice\.token": .*in visible ASCII/],
      ["a token with a control character", { alice: "a\u0001b" }, /"token\.alice": .*in visible ASCII/],
      ["a plain token with a non-ASCII character", "pässword", /"token": .*in visible ASCII/],
      ["the same token twice", { alice: "same", bob: { token: "same", can: ["read"] } }, /"alice" and "bob" have the same token/],
      ["no rights at all", { alice: { token: "a", can: [] } }, /"token\.alice\.can": must list at least one right/],
      ["an empty glob", { alice: { token: "a", can: ["cancel:"] } }, /"token\.alice\.can": "cancel:" has an empty name pattern/],
      ["a glob on a right that takes none", { alice: { token: "a", can: ["read:x"] } }, /unknown right "read:x"/],
      ["an unknown field", { alice: { token: "a", can: ["read"], scope: 1 } }, /"token\.alice": unknown field "scope"/],
    ];
    for (const [what, token, message] of cases) {
      it(`refuses ${what}`, () => {
        expect(() => createApp({ token: token as never })).to.throw(TypeError, message);
      });
    }
  });
});
