import { expect } from "chai";
import { silentServer, waitFor } from "../helpers";
import { proclist, site, type Site } from "./fixture";

describe("proclist audit's table", function () {
  this.timeout(60_000);
  const silent = silentServer();
  let live: Site;
  beforeEach(async () => {
    live = await site();
  });
  afterEach(async () => {
    await live.api.close();
  });

  it("gives times as HH:MM:SS.mmm, as every table of the command does, and a forced kill's rungs beside its action", async () => {
    const charge = live.manager.run(() => fetch(`${silent.url}/charge`).then((r) => r.text()), { id: "charge-1", name: "Payments.charge" });
    charge.catch(() => undefined);
    await waitFor("the fetch is a wait", () => (live.manager.get("charge-1")?.waits?.length ?? 0) > 0);
    const forced = await proclist(["kill", "charge-1", "--force", "--grace", "0", "-m", "upstream hung", "-e", live.api.url]);
    expect(forced.code, forced.stderr).to.equal(0);
    const table = await proclist(["audit", "-e", live.api.url]);
    expect(table.code, table.stderr).to.equal(0);
    const [head, row] = table.stdout.split("\n");
    expect(head).to.match(/^TIME\s+ENDPOINT\s+ACTION/);
    // TZ=UTC in the child: the entry's clock time, without date (today) nor RFC 3339.
    expect(row).to.match(/^\d\d:\d\d:\d\d\.\d{3}\s/);
    expect(row).to.not.match(/\d{4}-\d\d-\d\dT/);
    expect(row).to.match(/force \(waits\)\s+cancelled 200/);
    expect(row).to.contain("charge-1 (Payments.charge)");
  });
});
