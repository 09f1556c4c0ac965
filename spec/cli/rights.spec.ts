import { expect } from "chai";
import { HttpStatusError, CancelForbiddenError, ProclistClient, type ProcessManager, type ServedApi } from "../../lib";
import { startApi } from "../http/http-helpers";
import { blocked, rejectionOf, releaseAll } from "../helpers";
import { proclist } from "./fixture";

describe("a kill a scoped token may not make, from the command and the client", function () {
  this.timeout(60_000);
  let api: ServedApi & { manager: ProcessManager };
  beforeEach(async () => {
    api = await startApi({ token: { alice: { token: "alice-secret", can: ["read", "cancel:GET /pay"] } } });
    void blocked(api.manager, "7", { name: "GET /pay" });
    void blocked(api.manager, "8", { name: "Billing.charge" });
  });
  afterEach(async () => {
    releaseAll();
    await api.close();
  });

  it("kill --force without the force right says which right is missing and exits 3, not 'started with forbidCancel'", async () => {
    const result = await proclist(["kill", "7", "--force", "--grace", "0", "-e", api.url], { PROCLIST_TOKEN: "alice-secret" });
    expect(result.code, result.stderr).to.equal(3);
    expect(result.stderr).to.contain('token "alice" lacks the right "force"');
    expect(result.stderr).to.not.contain("forbidCancel");
    expect(api.manager.get("7")!.cancelling).to.equal(false);
  });

  it("kill of a task outside the token's cancel glob names the right and what the token has", async () => {
    const result = await proclist(["kill", "8", "-e", api.url], { PROCLIST_TOKEN: "alice-secret" });
    expect(result.code, result.stderr).to.equal(3);
    expect(result.stderr).to.contain('lacks the right "cancel" for task "8"');
    expect(result.stderr).to.contain("it has: read, cancel:GET /pay");
    expect(result.stderr).to.not.contain("forbidCancel");
  });

  it("the client's kill rejects a missing right as a 403 HttpStatusError with the server's words, and forbidCancel still as CancelForbiddenError", async () => {
    const client = new ProclistClient(api.url, { token: "alice-secret" });
    const refused = await rejectionOf(client.kill("7", { message: "stuck", force: true, graceMs: 0 }));
    expect(refused).to.be.instanceOf(HttpStatusError).and.not.instanceOf(CancelForbiddenError);
    expect((refused as HttpStatusError).status).to.equal(403);
    expect((refused as HttpStatusError).serverMessage).to.equal('token "alice" lacks the right "force"');
    void blocked(api.manager, "9", { name: "GET /pay", forbidCancel: true });
    expect(await rejectionOf(client.kill("9"))).to.be.instanceOf(CancelForbiddenError);
  });
});
