import "reflect-metadata";
import { ProcessManager } from "../../lib";
import { FleetKeys } from "../../lib/fleet/keys";
import { TaskPublisher } from "../../lib/fleet/publisher";
import { openRedis } from "../../lib/fleet/redis";
import { Registration } from "../../lib/fleet/registry";
import type { CaseOptions, Figures } from "../cases/case";
import { addLiveTasks } from "./live-tasks";

/**
 * Simulated instances: `instances` registrations of one service, each publishing `tasks` live
 * tasks with the real publisher (the same hash, the same JSON, by the same code as joinFleet),
 * then only heartbeating. One manager serves them all: the tasks are the same, their names not.
 */
export async function start(options: CaseOptions): Promise<Figures> {
  const { redis, service, instances, tasks } = JSON.parse(options.variant!) as {
    redis: string;
    service: string;
    instances: number;
    tasks: number;
  };
  const manager = new ProcessManager();
  addLiveTasks(manager, tasks);
  const keys = new FleetKeys("proclist:", service);
  const connection = openRedis(redis, keys.instances, "bench-sim", () => undefined);
  await connection.whenReady(10_000);
  const { command } = connection;
  // Long enough that no instance expires while the others are still being published on a loaded machine.
  const ttlMs = 600_000;
  const registrations: Registration[] = [];
  setInterval(() => void Promise.all(registrations.map((r) => r.register(tasks))), 60_000).unref();
  let bytes = 0;
  for (let i = 0; i < instances; i++) {
    const instance = `sim-${i}`;
    const registration = new Registration(connection, keys, instance, ttlMs, `sim-boot-${i}`);
    await registration.register(tasks);
    registrations.push(registration);
    await new TaskPublisher(connection, manager, keys.procs(instance), instance, ttlMs).publish();
    if (i === 0) bytes = Number(await command.memory("USAGE", keys.procs(instance)));
  }
  return { bytesPerInstance: bytes };
}
