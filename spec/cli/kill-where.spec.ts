import { expect } from "chai";
import { blocked, releaseAll } from "../helpers";
import { childEnv, MAIN, proclist, site, type Site } from "./fixture";
import { TmuxSession } from "./tmux";

describe("proclist kill by filter (--all)", function () {
  this.timeout(60_000);
  let a: Site;
  let b: Site;
  let both: string;

  beforeEach(async () => {
    [a, b] = await Promise.all([site(), site()]);
    both = `${a.label},${b.label}`;
    blocked(a.manager, "a-rep", { name: "GET /report", attrs: { tenant: "acme" } });
    blocked(a.manager, "a-other", { name: "GET /report", attrs: { tenant: "other" } });
    blocked(b.manager, "b-rep", { name: "GET /report", attrs: { tenant: "acme" } });
    blocked(b.manager, "b-user", { name: "GET /users/:id", attrs: { tenant: "acme" } });
  });
  afterEach(async () => {
    releaseAll();
    await Promise.all([a.api.close(), b.api.close()]);
  });

  const killedIn = (s: Site) =>
    s.manager
      .finished()
      .filter((t) => t.outcome === "killed")
      .map((t) => t.id);

  it("cancels every matching task on every endpoint with the message, and names them", async () => {
    const { code, stdout, stderr } = await proclist([
      "kill",
      "--name",
      "GET /report",
      "--attr",
      "tenant=acme",
      "--all",
      "-m",
      "report storm",
      "-e",
      both,
    ]);
    expect(code, stderr).to.equal(0);
    expect(stdout).to.equal(`cancel requested: 1 task on ${a.label} (a-rep)\ncancel requested: 1 task on ${b.label} (b-rep)\n`);
    expect(killedIn(a)).to.deep.equal(["a-rep"]);
    expect(killedIn(b)).to.deep.equal(["b-rep"]);
    expect(a.manager.finished()[0].status).to.equal("killed: report storm");
    expect(a.manager.list().map((t) => t.id)).to.deep.equal(["a-other"]);
  });

  it("refuses a filter without --all, an id with a filter, and nothing at all, exit 64, killing nothing", async () => {
    for (const args of [
      ["kill", "--name", "GET /report"],
      ["kill", "a-rep", "--name", "GET /report", "--all"],
      ["kill"],
      ["kill", "--all"],
    ]) {
      const { code, stderr } = await proclist([...args, "-e", both]);
      expect(code, args.join(" ")).to.equal(64);
      expect(stderr).to.match(/--all|task id/);
    }
    expect(killedIn(a).concat(killedIn(b))).to.deep.equal([]);
  });

  it("exits 1 when nothing matches, and 2 naming the tasks that refuse (forbidCancel)", async () => {
    const none = await proclist(["kill", "--status", "nothing like it", "--all", "-e", both]);
    expect(none.code).to.equal(1);
    expect(none.stderr).to.equal(`proclist: ${both.replace(",", ", ")}: no live task matches status "nothing like it"\n`);
    blocked(b.manager, "b-locked", { name: "nightly", forbidCancel: true });
    const locked = await proclist(["kill", "--name", "nightly", "--all", "-e", both]);
    expect(locked.code).to.equal(2);
    expect(locked.stderr).to.equal(`proclist: 1 refused on ${b.label} (forbidCancel): b-locked\n`);
  });

  it("asks for confirmation on a terminal, and kills nothing unless answered yes", async () => {
    const command = `${process.execPath} ${MAIN} kill --name "GET /report" --all -e ${both}; echo "exit $?"; sleep 30`;
    const session = await TmuxSession.start(command, {
      width: 160,
      height: 20,
      env: { TZ: "UTC", NO_COLOR: "1", PATH: childEnv().PATH ?? "" },
    });
    try {
      await session.waitFor(
        "the question",
        (screen) => screen.includes('cancel 3 tasks matching name "GET /report"') && screen.includes("[y/N]"),
      );
      expect(killedIn(a).concat(killedIn(b))).to.deep.equal([]);
      await session.keys("n", "Enter");
      await session.waitFor("the exit", (screen) => screen.includes("exit 0"));
      expect(await session.screen()).to.contain("nothing cancelled");
    } finally {
      await session.close();
    }
    expect(killedIn(a).concat(killedIn(b))).to.deep.equal([]);
    const yes = await TmuxSession.start(command, {
      width: 160,
      height: 20,
      env: { TZ: "UTC", NO_COLOR: "1", PATH: childEnv().PATH ?? "" },
    });
    try {
      await yes.waitFor("the question", (screen) => screen.includes("[y/N]"));
      await yes.keys("y", "Enter");
      await yes.waitFor("the exit", (screen) => screen.includes("exit 0"));
    } finally {
      await yes.close();
    }
    expect(killedIn(a).sort()).to.deep.equal(["a-other", "a-rep"]);
    expect(killedIn(b)).to.deep.equal(["b-rep"]);
  });
});
