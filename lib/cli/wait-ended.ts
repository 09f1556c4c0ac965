import { setTimeout as sleep } from "node:timers/promises";
import type { TaskSource } from "./target";
import { HttpStatusError } from "../client/errors";
import type { RemoteFinishedProc } from "../client/types";
import { TaskNotFoundError } from "../core/errors";

/** How a waited-for task turned out: its final record (proclist servers), gone (the Go original drops it at once), or still running. */
export type Ending = { state: "finished"; proc: RemoteFinishedProc } | { state: "gone" } | { state: "running" };

/**
 * Polls until the task is no longer running, for up to `ms`. A kill only asks: code that ignores
 * its signal runs on until its next cancellation point, and this is how an operator learns when.
 */
export async function waitEnded(client: Pick<TaskSource, "task" | "processes">, id: string, ms: number, everyMs = 100): Promise<Ending> {
  const until = performance.now() + ms;
  let original = false;
  for (;;) {
    if (original) {
      if (!(await client.processes()).procs.some((p) => p.id === id)) return { state: "gone" };
    } else {
      try {
        const task = await client.task(id);
        if (!task.running) return { state: "finished", proc: task.proc as RemoteFinishedProc };
      } catch (error) {
        if (error instanceof TaskNotFoundError) return { state: "gone" };
        if (!(error instanceof HttpStatusError && (error.status === 404 || error.status === 405))) throw error;
        original = true;
        continue;
      }
    }
    if (performance.now() >= until) return { state: "running" };
    await sleep(everyMs);
  }
}
