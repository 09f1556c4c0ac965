// A real instance of a fleet, as a child process: tracked tasks that run until killed, joined to
// Redis. TASKS is a comma list of ids, each optionally "<id>:<name>" (default name "job"; ids
// starting "forbid" have forbidCancel; attributes n, the id, and len, its length as a number); BULK=<count>
// more tasks "bulk-<i>" named "bulk". Commands on stdin ("start <id> [name]", "wide <id> <attrs>": a
// task with that many attributes of 1,000 characters, "leave"); JSON lines on stdout.
import { createInterface } from "node:readline";
import { ProcessManager, joinFleet } from "../../lib";

const say = (message: object) => process.stdout.write(JSON.stringify(message) + "\n");
process.on("unhandledRejection", (reason) => {
  say({ unhandled: String(reason) });
  process.exit(70);
});

const manager = new ProcessManager();

function start(id: string, forbidCancel = false, name = "job", extra: Record<string, unknown> = {}): void {
  const ended = manager.run(
    (task) =>
      new Promise<void>((_resolve, reject) => {
        task.status("waiting");
        task.signal.addEventListener("abort", () => reject(task.signal.reason), { once: true });
      }),
    { id, name, attrs: { n: id, len: id.length, ...extra }, forbidCancel },
  );
  ended.catch(() => {
    const done = manager.finished().find((t) => t.id === id);
    say({ ended: id, outcome: done?.outcome, killedBy: done?.killedBy });
  });
}

(async () => {
  for (const [id, name] of (process.env.TASKS ?? "")
    .split(",")
    .filter(Boolean)
    .map((entry) => entry.split(":")))
    start(id, id.startsWith("forbid"), name);
  for (let i = 0; i < Number(process.env.BULK ?? 0); i++) start(`bulk-${i}`, false, "bulk");
  try {
    const membership = await joinFleet({
      redis: process.env.REDIS_URL!,
      service: process.env.SERVICE,
      instance: process.env.INSTANCE,
      manager,
      ttlMs: Number(process.env.TTL_MS ?? 15000),
      heartbeatMs: process.env.HEARTBEAT_MS === undefined ? undefined : Number(process.env.HEARTBEAT_MS),
      publishMs: 50,
      onError: (error) => say({ lostName: error.message }),
    });
    say({ joined: membership.instance });
    createInterface({ input: process.stdin }).on("line", (line) => {
      const [command, id, name] = line.split(" ");
      if (command === "start") {
        start(id, false, name);
        say({ started: id });
      } else if (command === "wide") {
        const attrs: Record<string, string> = {};
        for (let i = 0; i < Number(name); i++) attrs[`a${i}`] = "x".repeat(1000);
        start(id, false, "wide", attrs);
        say({ started: id });
      } else if (command === "leave") void membership.leave().then(() => say({ left: true }));
    });
  } catch (error) {
    say({ error: (error as Error).message, name: (error as Error).name });
    process.exit(3);
  }
})();
