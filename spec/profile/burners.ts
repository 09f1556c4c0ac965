import type { ProcessManager } from "../../lib";

/** A fixed amount of CPU work (not of wall time: on a loaded machine a wall-time spin is stretched by preemption alike for every burner). */
export function work(units: number): number {
  let x = 0;
  for (let i = 0; i < units * 100_000; i++) x = (x * 31 + i) | 0;
  return x;
}

/**
 * Tasks named after `shares` that take turns on the event loop, each doing its units of work per
 * turn, until the returned stop is called (it resolves once they ended). With 3 and 7 units, the
 * CPU the two use splits 30/70.
 */
export function burners(manager: ProcessManager, shares: Record<string, number>): () => Promise<void> {
  let running = true;
  const tasks = Object.entries(shares).map(([name, units]) =>
    manager.run(
      async () => {
        while (running) {
          work(units);
          await new Promise((resolve) => setImmediate(resolve));
        }
      },
      { name },
    ),
  );
  return async () => {
    running = false;
    await Promise.all(tasks);
  };
}

/** Holds the event loop `ms` of wall time. */
export function hold(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}
