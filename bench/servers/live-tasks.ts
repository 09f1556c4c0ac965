import type { ProcessManager } from "../../lib";

/** Fills a manager with `count` live tasks of 3 attributes and 4 history entries, as the API benchmarks need. */
export function addLiveTasks(manager: ProcessManager, count: number): void {
  for (let i = 0; i < count; i++) {
    const task = manager.start(`req-${i}`, { name: "GET /orders/:id", attrs: { method: "GET", uri: `/orders/${100_000 + i}?expand=items`, host: `10.0.${i % 250}.7:${40_000 + (i % 20_000)}` } });
    task.status("authenticating");
    task.status("querying orders");
    task.status("rendering");
  }
}
