import type { ProcessManager } from "../../lib";
import type { Task } from "../../lib/core/task";

/** What a benchmark server holds: `count` live tasks, changed `churn` times a second, with an object attribute of ~`payload` bytes. */
export interface LiveTasksPlan {
  count: number;
  churn: number;
  payload: number;
}

/** Reads a server variant such as "10000", "10000 churn=10000" or "10000 payload=900". */
export function planOf(variant: string | undefined): LiveTasksPlan {
  const [count, ...options] = (variant ?? "0").split(" ");
  const option = (name: string) => Number(options.find((o) => o.startsWith(name + "="))?.slice(name.length + 1) ?? 0);
  return { count: Number(count), churn: option("churn"), payload: option("payload") };
}

/**
 * Fills a manager with live tasks of 3 attributes (plus `payload`, an object of about that many
 * bytes of JSON, when asked) and 4 history entries, as the API benchmarks need.
 */
export function addLiveTasks(manager: ProcessManager, count: number, payload = 0): void {
  for (let i = 0; i < count; i++) {
    const attrs: Record<string, unknown> = {
      method: "GET",
      uri: `/orders/${100_000 + i}?expand=items`,
      host: `10.0.${i % 250}.7:${40_000 + (i % 20_000)}`,
    };
    if (payload > 0) attrs.payload = payloadOf(i, payload);
    const task = manager.start(`req-${i}`, { name: "GET /orders/:id", attrs });
    task.status("authenticating");
    task.status("querying orders");
    task.status("rendering");
  }
}

/** An order-like object whose JSON is about `bytes` long. */
function payloadOf(i: number, bytes: number): object {
  const lines: { sku: string; qty: number; note: string }[] = [];
  for (let size = 30; size < bytes - 60; size += 60)
    lines.push({ sku: `SKU-${(i * 7 + lines.length) % 9_973}`, qty: 1 + (lines.length % 4), note: "gift wrap, leave at door" });
  return { order: 100_000 + i, lines };
}

const STATUSES = ["authenticating", "querying orders", "rendering", "waiting on the database", "writing the answer"];

/**
 * Changes the status of random live tasks `perSecond` times a second, as a busy service's tasks
 * change: each millisecond, as many changes as are due by the clock (a late timer catches up,
 * at most 100 ms' worth at once, the rest skipped). Returns the rate it really made so far, and a stop.
 */
export function churn(manager: ProcessManager, perSecond: number): { rate(): number; stop(): void } {
  const tasks: Task[] = Array.from(manager.tasks());
  const started = performance.now();
  let made = 0;
  let skipped = 0;
  let seed = 1;
  const timer = setInterval(() => {
    let due = Math.floor(((performance.now() - started) * perSecond) / 1000) - skipped - made;
    if (due > perSecond / 10) {
      skipped += due - perSecond / 10;
      due = perSecond / 10;
    }
    for (let k = 0; k < due; k++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      tasks[seed % tasks.length].status(STATUSES[made++ % STATUSES.length]);
    }
  }, 1);
  return { rate: () => (made * 1000) / (performance.now() - started), stop: () => clearInterval(timer) };
}
