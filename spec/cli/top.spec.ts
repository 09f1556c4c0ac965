import { expect } from "chai";
import { CancelError } from "../../lib";
import { blocked, releaseAll, tick } from "../helpers";
import { MAIN, site, type Site } from "./fixture";
import { TmuxSession } from "./tmux";

/** The shell line run in the terminal: a mark on the screen before, then top, then how it left the terminal. */
function script(args: string): string {
  return [
    "printf 'shell screen before top\\n'",
    "before=$(stty -g)",
    `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)} top ${args}`,
    "code=$?",
    `[ "$(stty -g)" = "$before" ] && echo 'terminal modes restored' || echo 'terminal modes changed'`,
    'echo "top exited with $code"',
    "sleep 600",
  ].join("; ");
}

/** The task ids in the table, top to bottom. */
function rows(screen: string): string[] {
  return screen.split("\n").filter((l) => /^127\.0\.0\.1:\d+ {2}/.test(l)).map((l) => l.split(/ {2,}/)[1]);
}

describe("proclist top in a real terminal (tmux)", function () {
  this.timeout(60_000);
  let a: Site;
  let b: Site;
  let tmux: TmuxSession | undefined;

  beforeEach(async () => {
    [a, b] = await Promise.all([site(), site()]);
  });

  afterEach(async () => {
    await tmux?.close();
    tmux = undefined;
    releaseAll();
    await Promise.all([a.api.close(), b.api.close()]);
  });

  it("shows both endpoints' tasks, kills the selected one after y, changes interval, sort and pause, and q restores the terminal", async () => {
    blocked(a.manager, "slow-1", { name: "GET /work", attrs: { method: "GET", size: { kb: 4 }, tags: ["x", "y"], ratio: 1.5, ok: true, none: null }, statuses: ["step 1/3"] });
    // Far enough apart that the merged list's age order cannot flip on a loaded machine.
    await tick(150);
    const victim = blocked(b.manager, "slow-2", { name: "GET /users/:id", attrs: { method: "POST" }, statuses: ["querying"] });

    tmux = await TmuxSession.start(script(`-e ${a.label},${b.label} --interval 250`), { width: 160, height: 30, env: { TZ: "UTC", PROCLIST_TOKEN: "" } });
    let screen = await tmux.waitFor("both tasks", (s) => rows(s).length === 2);
    expect(rows(screen)).to.deep.equal(["slow-1", "slow-2"]);
    expect(screen).to.contain(`${a.label} up (1)`).and.contain(`${b.label} up (1)`);
    // Attributes of every JSON type, where the original's pm-cli crashed on anything but strings.
    for (const value of ['{"kb":4}', '["x","y"]', "1.5", "true", "null", "POST"]) expect(screen).to.contain(value);

    await tmux.keys("Down", "k");
    screen = await tmux.waitFor("the kill prompt", (s) => s.includes("Kill task"));
    expect(screen).to.contain(`Kill task "slow-2" on ${b.label}? y to confirm, any other key to cancel`);
    await tmux.keys("y");
    const error = await victim.then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(CancelError);
    expect(b.manager.finished().find((t) => t.id === "slow-2")).to.include({ outcome: "killed" });
    screen = await tmux.waitFor("the kill to show", (s) => rows(s).length === 1 && s.includes("cancel requested: task slow-2"));
    expect(rows(screen)).to.deep.equal(["slow-1"]);

    await tmux.keys("+", "+");
    await tmux.waitFor("a 1 s interval", (s) => s.includes("every 1s"));
    await tmux.keys("-");
    await tmux.waitFor("a 500 ms interval", (s) => s.includes("every 500ms"));
    await tmux.keys("s");
    await tmux.waitFor("the next sort", (s) => s.includes("sort: status age"));
    await tmux.keys("p");
    await tmux.waitFor("pause", (s) => s.includes("PAUSED"));
    await tmux.keys("p");
    await tmux.waitFor("resume", (s) => !s.includes("PAUSED"));

    await tmux.keys("q");
    screen = await tmux.waitFor("top to exit", (s) => s.includes("top exited with"));
    expect(screen.split("\n")).to.deep.equal(["shell screen before top", "terminal modes restored", "top exited with 0"]);
  });

  it("shows an endpoint that stops answering as DOWN, and keeps showing the others", async () => {
    blocked(a.manager, "on-a");
    blocked(b.manager, "on-b");
    tmux = await TmuxSession.start(script(`-e ${a.label} -e ${b.label} --interval 250`), { width: 160, height: 20, env: { TZ: "UTC", PROCLIST_TOKEN: "" } });
    await tmux.waitFor("both tasks", (s) => rows(s).length === 2);
    await a.api.close();
    const screen = await tmux.waitFor("the endpoint down", (s) => s.includes(`${a.label} DOWN`));
    expect(screen).to.match(new RegExp(`${a.label.replace(/\./g, "\\.")} DOWN for \\S+: connection refused`));
    expect(rows(screen)).to.deep.equal(["on-b"]);
    await tmux.keys("q");
    await tmux.waitFor("top to exit", (s) => s.includes("top exited with 0"));
  });
});
