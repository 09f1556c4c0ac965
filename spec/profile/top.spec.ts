import { expect } from "chai";
import type { WireStats } from "../../lib/wire/shapes";
import { waitFor } from "../helpers";
import { topScript } from "../cli/fixture";
import { TmuxSession } from "../cli/tmux";
import { burningServer, type BurningServer } from "./burning";

/** Starts a profile of `seconds` on the server; the returned stop ends it early (the route stops when its client goes). */
function startProfile(server: BurningServer, seconds: number): { stop: () => void; done: Promise<unknown> } {
  const controller = new AbortController();
  const done = fetch(`http://${server.label}/procs/profile?seconds=${seconds}`, { signal: controller.signal }).catch(() => undefined);
  return { stop: () => controller.abort(), done };
}

async function stats(server: BurningServer): Promise<WireStats> {
  return (await (await fetch(`http://${server.label}/stats`)).json()) as WireStats;
}

describe("the running profile in /stats and top's CPU column and event-loop delay (tmux)", function () {
  this.timeout(60_000);
  let server: BurningServer;
  let tmux: TmuxSession | undefined;

  before(async () => {
    server = await burningServer();
  });
  after(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    await tmux?.close();
    tmux = undefined;
  });

  it("GET /stats carries the running profile's CPU so far per running task, most first, and nothing once it ended", async () => {
    expect(await stats(server)).to.not.have.property("profiling");
    const profile = startProfile(server, 30);
    try {
      let answer: WireStats | undefined;
      await waitFor("both burners in the running profile", async () => {
        answer = await stats(server);
        return (answer.profiling?.tasks.length ?? 0) >= 2 && answer.profiling!.tasks.every((t) => t.cpuMs > 0);
      });
      const { profiling } = answer!;
      expect(Date.parse(profiling!.endsAt) - Date.parse(profiling!.startTime)).to.equal(30_000);
      expect(profiling!.tasks.map((t) => t.name).slice(0, 2)).to.have.members(["Burn.seventy", "Burn.thirty"]);
      const cpu = profiling!.tasks.map((t) => t.cpuMs);
      expect([...cpu].sort((a, b) => b - a)).to.deep.equal(cpu);
    } finally {
      profile.stop();
      await profile.done;
    }
    await waitFor("the profile to end", async () => (await stats(server)).profiling === undefined);
  });

  it("shows the event loop's delay in the header, and while a profile runs a CPU column (sortable with s) and the time it has left", async () => {
    tmux = await TmuxSession.start(topScript(`-e ${server.label} --interval 250`), {
      width: 200,
      height: 20,
      env: { TZ: "UTC", PROCLIST_TOKEN: "" },
    });
    let screen = await tmux.waitFor(
      "the loop's delay in the header",
      (s) => /loop p50 \S+ p99 \S+ max \S+/.test(s) && s.includes("Burn.seventy"),
    );
    expect(screen).to.not.match(/^ENDPOINT .* CPU /m);
    const profile = startProfile(server, 30);
    try {
      const cpuOf = (s: string, name: string): number => {
        const head = s
          .split("\n")
          .find((l) => l.startsWith("ENDPOINT "))!
          .split(/ {2,}/);
        const row = s
          .split("\n")
          .find((l) => l.includes(name))!
          .split(/ {2,}/);
        return Number(row[head.indexOf("CPU")]?.replace("%", ""));
      };
      screen = await tmux.waitFor(
        "the CPU column with both burners busy",
        (s) =>
          /CPU profile, \S+ left/.test(s) && /^ENDPOINT .* CPU /m.test(s) && cpuOf(s, "Burn.seventy") > 0 && cpuOf(s, "Burn.thirty") > 0,
      );
      // The burner doing 7 units of work a turn is current longer than the one doing 3.
      await tmux.waitFor("seventy above thirty", (s) => cpuOf(s, "Burn.seventy") > cpuOf(s, "Burn.thirty"));
      const sortOf = (s: string) => /sort: (\S+( age)?)/.exec(s)?.[1];
      for (let i = 0; i < 10 && sortOf(screen) !== "cpu"; i++) {
        const before = sortOf(screen);
        await tmux.keys("s");
        screen = await tmux.waitFor("the next sort", (s) => sortOf(s) !== before);
      }
      expect(sortOf(screen)).to.equal("cpu");
    } finally {
      profile.stop();
      await profile.done;
    }
    await tmux.waitFor("the CPU column gone with the profile", (s) => !/CPU profile/.test(s) && !/^ENDPOINT .* CPU /m.test(s));
    await tmux.keys("q");
    await tmux.waitFor("top to exit", (s) => s.includes("top exited with 0"));
  });
});
