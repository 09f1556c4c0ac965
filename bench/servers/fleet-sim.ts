import "reflect-metadata";
import { ProcessManager } from "../../lib";
import { ControlServer } from "../../lib/fleet/control";
import { FleetKeys } from "../../lib/fleet/keys";
import { TaskPublisher } from "../../lib/fleet/publisher";
import { openRedis } from "../../lib/fleet/redis";
import { Registration } from "../../lib/fleet/registry";
import type { CaseOptions, Figures } from "../cases/case";
import { addLiveTasks } from "./live-tasks";

/**
 * Simulated instances: `instances` registrations of one service (named sim-<from>…), each
 * publishing `tasks` live tasks with the real publisher (the same hash, the same JSON, by the
 * same code as joinFleet), then only heartbeating (every `beatMs`, default a minute). One manager
 * serves them all: the tasks are the same, their names not. With `answer`, each also answers its
 * control channel with the real ControlServer (list, kill, task…), as joinFleet's instance does.
 */
export async function start(options: CaseOptions): Promise<Figures> {
  const { redis, service, instances, tasks, from, answer, beatMs } = JSON.parse(options.variant!) as {
    redis: string;
    service: string;
    instances: number;
    tasks: number;
    from?: number;
    answer?: boolean;
    beatMs?: number;
  };
  const manager = new ProcessManager();
  addLiveTasks(manager, tasks);
  const keys = new FleetKeys("proclist:", service);
  const connection = openRedis(redis, keys.instances, "bench-sim", () => undefined);
  await connection.whenReady(10_000);
  const { command, bus } = connection;
  // Long enough that no instance expires while the others are still being published on a loaded machine.
  const ttlMs = 600_000;
  const first = from ?? 0;
  const names = Array.from({ length: instances }, (_, i) => `sim-${first + i}`);
  const registrations = names.map((instance, i) => new Registration(connection, keys, instance, ttlMs, `sim-boot-${first + i}`));
  setInterval(() => void Promise.all(registrations.map((r) => r.register(tasks))), beatMs ?? 60_000).unref();
  if (answer === true) {
    // As joinFleet's instance: listening before registering, each request checked against the name's holder first (one GET).
    const controls = new Map(
      names.map((instance, i) => [
        keys.control(instance),
        new ControlServer(connection, keys, instance, manager, () => registrations[i].taken(), `sim-boot-${first + i}`),
      ]),
    );
    bus.on("message", (channel: string, message: string) => controls.get(channel)?.onMessage(message));
    bus.subscribe([...controls.keys()]).catch(() => undefined);
    await bus.whenSubscribed(60_000);
  }
  let bytes = 0;
  for (const [i, instance] of names.entries()) {
    await registrations[i].register(tasks);
    await new TaskPublisher(connection, manager, keys.procs(instance), instance, ttlMs, undefined, `sim-boot-${first + i}`).publish();
    if (i === 0) bytes = Number(await command.memory("USAGE", keys.procs(instance)));
  }
  return { bytesPerInstance: bytes };
}
