import { expect } from "chai";
import { RedisServer } from "../../samples/redis-server";
import { MAIN } from "../cli/fixture";
import { TmuxSession } from "../cli/tmux";
import { InstanceProcess } from "./instances";
import { waitFor } from "../helpers";

describe("proclist top --redis in a real terminal (tmux)", function () {
  this.timeout(90_000);
  let redis: RedisServer;
  const instances: InstanceProcess[] = [];
  let tmux: TmuxSession | undefined;

  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    await tmux?.close();
    tmux = undefined;
    await Promise.all(instances.splice(0).map((i) => i.kill()));
  });

  const start = async (name: string, tasks: string) => {
    const instance = InstanceProcess.start({ REDIS_URL: redis.url, SERVICE: "topsvc", INSTANCE: name, TASKS: tasks });
    instances.push(instance);
    await waitFor(`${name} joined`, () => instance.said("joined"), 30_000);
    return instance;
  };
  /** The line of the table holding a task. */
  const line = (screen: string, id: string) => screen.split("\n").find((l) => new RegExp(`^\\S+ {2,}${id} `).test(l));

  it("follows an instance that joins after it started, and shows it gone since when once it leaves", async () => {
    await start("a", "a1");
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)} top --redis ${redis.url} --service topsvc --interval 250; sleep 600`;
    tmux = await TmuxSession.start(command, { width: 160, height: 20, env: { TZ: "UTC", PROCLIST_TOKEN: "" } });
    await tmux.waitFor("a's task", (s) => line(s, "a1") !== undefined && s.includes("a up (1)"));

    const late = await start("late", "l1:report,l2");
    let screen = await tmux.waitFor(
      "the instance that joined",
      (s) => s.includes("late up (2)") && line(s, "l1") !== undefined && line(s, "l2") !== undefined,
    );
    expect(line(screen, "l1")).to.match(/^late {2,}l1 {2,}report/);
    expect(line(screen, "a1")).to.match(/^a {2,}a1 {2,}job/);

    late.send("leave");
    // In the command's one time format (HH:MM:SS.mmm), never the wire's RFC 3339 with microseconds.
    screen = await tmux.waitFor("the instance gone", (s) => /late DOWN.*: gone since \d\d:\d\d:\d\d\.\d{3}/.test(s));
    expect(screen).to.not.match(/\d{4}-\d\d-\d\dT/);
    expect(screen).to.not.contain("last answer");
    // The first column is where a task runs, called INSTANCE as ls calls it.
    expect(screen.split("\n").find((l) => / ID {2,}/.test(l))).to.match(/^INSTANCE {2,}ID /);
    // Its last tasks stay on screen as of its last answer, as for a down endpoint; a is still up.
    expect(line(screen, "l1")).to.match(/ \d\d:\d\d:\d\d\.\d{3}( {2}|$)/);
    expect(screen).to.contain("a up (1)");
    expect(line(screen, "a1")).to.not.match(/ \d\d:\d\d:\d\d\.\d{3}( {2}|$)/);
  });
});
