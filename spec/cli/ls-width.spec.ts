import { expect } from "chai";
import { blocked, releaseAll } from "../helpers";
import { MAIN, proclist, site, type Site } from "./fixture";
import { TmuxSession } from "./tmux";

describe("proclist ls on a terminal", function () {
  this.timeout(60_000);
  let live: Site;
  let tmux: TmuxSession | undefined;
  beforeEach(async () => {
    live = await site();
    const attrs = { method: "GET", uri: `/reports/monthly?tenant=acme&from=2026-01-01&to=2026-12-31&format=csv`, host: "127.0.0.1:51234" };
    void blocked(live.manager, "req-7f3a2b", { name: "GET /reports/monthly", attrs, statuses: ["rendering page 4 of 12"] });
  });
  afterEach(async () => {
    releaseAll();
    await tmux?.close();
    tmux = undefined;
    await live.api.close();
  });

  it("fits an 80-column terminal as top does (id, age and status stay), and a pipe still gets every column whole", async () => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)} ls -e ${live.label}; echo ls-exited; sleep 600`;
    tmux = await TmuxSession.start(command, { width: 80, height: 20, env: { TZ: "UTC", NO_COLOR: "1" } });
    const screen = await tmux.waitFor("ls to finish", (s) => s.includes("ls-exited"));
    const lines = screen.split("\n").filter((l) => l !== "ls-exited");
    expect(lines.length, screen).to.equal(2);
    for (const line of lines) expect(line.length, line).to.be.at.most(80);
    expect(lines[0]).to.match(/^ID\s+NAME\s+AGE\s+STATUS/);
    // Long values cut as top cuts them (name to 12, status to 16 at the least), never wrapped.
    expect(lines[1]).to.match(/^req-7f3a2b\s+GET \/report\S*\s+\S+\s+rendering page /);
    const piped = await proclist(["ls", "-e", live.label]);
    expect(piped.stdout.split("\n")[0]).to.match(/^ENDPOINT\s+ID\s+NAME\s+AGE\s+STATUS\s+IN STATUS\s+METHOD\s+URI\s+HOST$/);
  });
});
