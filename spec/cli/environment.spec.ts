import { expect } from "chai";
import { blocked, releaseAll } from "../helpers";
import { proclist, site, type Site } from "./fixture";

describe("the proclist command's environment variables", function () {
  this.timeout(60_000);
  let a: Site;
  let b: Site;
  beforeEach(async () => {
    [a, b] = await Promise.all([site(), site()]);
    void blocked(a.manager, "on-a");
    void blocked(b.manager, "on-b");
  });
  afterEach(async () => {
    releaseAll();
    await Promise.all([a.api.close(), b.api.close()]);
  });

  it("PROCLIST_ENDPOINTS stands in for -e, and -e given wins over it", async () => {
    const both = await proclist(["ls", "--json"], { PROCLIST_ENDPOINTS: `${a.label},${b.label}` });
    expect(both.code, both.stderr).to.equal(0);
    expect((JSON.parse(both.stdout) as { id: string }[]).map((p) => p.id).sort()).to.deep.equal(["on-a", "on-b"]);
    const given = await proclist(["ls", "--json", "-e", b.label], { PROCLIST_ENDPOINTS: a.label });
    expect((JSON.parse(given.stdout) as { id: string }[]).map((p) => p.id)).to.deep.equal(["on-b"]);
    const kill = await proclist(["kill", "on-b"], { PROCLIST_ENDPOINTS: `${a.label},${b.label}` });
    expect(kill.code, kill.stderr).to.equal(0);
    expect(b.manager.get("on-b")!.cancelling).to.equal(true);
  });

  it("an empty PROCLIST_REDIS (as shells export) is no fleet: every command speaks to its endpoints", async () => {
    for (const args of [
      ["ls", "--json"],
      ["profile", "--seconds", "1", "--json"],
      ["audit", "--json"],
    ]) {
      const run = await proclist([...args, "-e", a.label], { PROCLIST_REDIS: "" });
      expect(run.code, `${args[0]}: ${run.stderr}`).to.equal(0);
      expect(run.stderr, args[0]).to.equal("");
    }
  });
});
