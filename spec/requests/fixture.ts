import type { Server } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { ProcessManager, Status, Tracked, currentTask } from "../../lib";

/** Business logic a request calls: a tracked method with a phase that waits on its task's signal. */
export class Orders {
  constructor(readonly pm: ProcessManager) {}

  @Tracked()
  async load(id: string, ms: number): Promise<string> {
    await this.query(ms);
    return JSON.stringify({ id });
  }

  @Status("querying")
  private async query(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: currentTask()!.signal });
  }
}

/** Waits until `condition` holds, polling; fails after `capMs` (a cap, not a duration to wait). */
export async function until(condition: () => boolean, capMs = 10_000, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > capMs) throw new Error(`${what} not met within ${capMs} ms`);
    await sleep(2);
  }
}

/** Closes a server and every connection it still holds. */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
