import { expect } from "chai";
import { blocked, releaseAll } from "../helpers";
import { call, startApi } from "../http/http-helpers";

describe("proclist_forced_kills_total", () => {
  afterEach(releaseAll);

  it("counts each forced kill once it is over, by name, who asked and outcome (cooperated, ignored)", async () => {
    const api = await startApi({ metrics: true });
    try {
      const pm = api.manager;
      const polite = blocked(pm, "polite", { name: "job" });
      let release!: () => void;
      void pm.run(() => new Promise<void>((resolve) => (release = resolve)), { id: "deaf", name: "job" });
      await pm.kill("polite", undefined, { force: true, graceMs: 60_000, by: "ops" });
      await polite.catch(() => undefined);
      await pm.kill("deaf", undefined, { force: true, graceMs: 0, by: "ops" });
      const text = (await call(api, "GET", "/metrics")).text;
      expect(text).to.include('proclist_forced_kills_total{name="job",by_kind="ops",outcome="cooperated"} 1');
      expect(text).to.include('proclist_forced_kills_total{name="job",by_kind="ops",outcome="ignored"} 1');
      release();
    } finally {
      await api.close();
    }
  });
});
