import "reflect-metadata";
import { joinFleet, ProcessManager } from "../../lib";
import type { CaseOptions, Figures } from "../cases/case";
import { addLiveTasks } from "./live-tasks";

/**
 * An instance whose 1,000 live tasks change status `rate` times a second in all (ten every 10 ms
 * at 1,000/s), joined to a fleet when `redis` is given: the runner compares the CPU time of the
 * three variants (no changes, changes, changes and the fleet) over the same wall time.
 */
export async function start(options: CaseOptions): Promise<Figures> {
  const { redis, rate } = JSON.parse(options.variant!) as { redis?: string; rate: number };
  const manager = new ProcessManager();
  addLiveTasks(manager, 1000);
  const tasks = [...manager.tasks()];
  let next = 0;
  const perTick = rate / 100;
  setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      const task = tasks[next++ % tasks.length];
      task.status(next % 2 === 0 ? "querying orders" : "rendering");
    }
  }, 10);
  if (redis !== undefined) await joinFleet({ redis, service: "bench-cpu", instance: `cpu-${process.pid}`, manager });
  return {};
}
