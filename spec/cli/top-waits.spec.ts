import { expect } from "chai";
import { createServer, type ServerResponse } from "node:http";
import { waitOn } from "../../lib";
import { listenOnLoopback, waitFor } from "../helpers";
import { site, startTop, topRows as rows, type Site } from "./fixture";
import type { TmuxSession } from "./tmux";

describe("proclist top shows what tasks wait on (tmux)", function () {
  this.timeout(60_000);
  let a: Site;
  let tmux: TmuxSession | undefined;
  const held: ServerResponse[] = [];
  const upstream = createServer((_req, res) => held.push(res));
  let port: number;

  before(async () => {
    ({ port } = await listenOnLoopback(upstream));
  });
  after(() => {
    upstream.closeAllConnections();
    upstream.close();
  });
  beforeEach(async () => {
    a = await site();
  });
  afterEach(async () => {
    await tmux?.close();
    tmux = undefined;
    for (const res of held.splice(0)) res.end();
    await a.api.close();
  });

  it("has a WAITING ON column with each task's longest wait and its age, and sorts by it with s", async () => {
    let releasePg!: () => void;
    let releaseIdle!: () => void;
    const idle = a.manager.run(() => new Promise<void>((resolve) => (releaseIdle = resolve)), { id: "idle-1", name: "idle" });
    const querying = a.manager.run(() => waitOn("pg", "SELECT orders", new Promise<void>((resolve) => (releasePg = resolve))), {
      id: "report-1",
      name: "report",
    });
    const fetching = a.manager.run(() => fetch(`http://127.0.0.1:${port}/charge?token=s3cret`).then((r) => r.text()), {
      id: "checkout-1",
      name: "checkout",
    });
    await waitFor("the fetch upstream", () => held.length === 1);

    tmux = await startTop(`-e ${a.label}`, { width: 180 });
    let screen = await tmux.waitFor("the three tasks", (s) => rows(s).length === 3 && s.includes("WAITING ON"));
    expect(screen).to.match(new RegExp(`fetch GET 127\\.0\\.0\\.1:${port}/charge · \\d`));
    expect(screen).to.match(/pg SELECT orders · \d/);
    expect(screen).to.not.contain("s3cret");
    // Oldest first by default; `s` until the sort is by wait: the longest wait first, idle last.
    expect(rows(screen)).to.deep.equal(["idle-1", "report-1", "checkout-1"]);
    const sortOf = (s: string) => /sort: (\S+( age)?)/.exec(s)?.[1];
    for (let i = 0; i < 8 && sortOf(screen) !== "waiting"; i++) {
      const before = sortOf(screen);
      await tmux.keys("s");
      screen = await tmux.waitFor("the next sort", (s) => sortOf(s) !== before);
    }
    screen = await tmux.waitFor("the wait order", (s) => s.includes("sort: waiting") && rows(s)[0] === "report-1");
    expect(rows(screen)).to.deep.equal(["report-1", "checkout-1", "idle-1"]);

    for (const res of held.splice(0)) res.end("ok");
    releasePg();
    await Promise.all([querying, fetching]);
    screen = await tmux.waitFor("no wait left", (s) => rows(s).length === 1 && !s.includes("WAITING ON"));
    expect(rows(screen)).to.deep.equal(["idle-1"]);
    await tmux.keys("q");
    releaseIdle();
    await idle;
  });
});
