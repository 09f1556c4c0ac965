import { ProcessManager } from "../lib";
import type { ManagerOptions } from "../lib";

/** Each spec owns its manager: never the container's root singleton. */
export function freshManager(options: Partial<ManagerOptions> = {}): ProcessManager {
  return new ProcessManager(options);
}

/** The statuses of a task's history, in order. */
export function statuses(pm: ProcessManager, id: string): string[] {
  return pm.history(id).map((entry) => entry.status);
}

/** Resolves after the current macrotask queue drains: lets awaited work reach its next step. */
export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Captures what a function throws (sync) so specs can assert on the error class. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

/** Captures what a promise rejects with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}
