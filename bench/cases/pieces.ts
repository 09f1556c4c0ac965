import "reflect-metadata";
import { executionAsyncId } from "node:async_hooks";
import { now } from "../../lib/core/clock";
import { activeTask, runInContext, taskContext } from "../../lib/core/context";
import { ProcessManager } from "../../lib/core/manager";
import type { Task } from "../../lib/core/task";
import { timeCases } from "../harness";
import { timing, type CaseOptions, type Figures } from "./case";

/**
 * What a tracked call is made of, each piece timed alone (CPU ns per operation, the loop's own
 * cost subtracted), so a change to the hot path can be weighed piece by piece on each runtime.
 * Uses only the core's long-standing internals, so the same file can time an older build.
 */
export async function run(options: CaseOptions): Promise<Figures> {
  const manager = new ProcessManager({ maxHistory: 8 });
  const task = manager.begin(undefined, "pieces", undefined, undefined, undefined, undefined);
  const stores = [task, manager.begin(undefined, "pieces", undefined, undefined, undefined, undefined)];
  const none: unknown[] = [];
  const noop = (): number => 1;
  const storage = taskContext as unknown as { run<R>(store: Task, fn: () => R): R };
  // Turn async context on (as the first task does in production) before anything is timed.
  runInContext(task, noop, undefined, none);
  const figures = await timeCases(
    [
      { name: "loop", fn: (i) => i },
      { name: "als.run", fn: (i) => storage.run(stores[i & 1], noop) },
      { name: "enter", fn: () => runInContext(task, noop, undefined, none) },
      { name: "clock", fn: () => now() },
      { name: "activeTask", fn: () => activeTask() },
      { name: "executionAsyncId", fn: () => executionAsyncId() },
      {
        name: "begin+finish",
        fn: () => manager.end(manager.begin(undefined, "pieces", undefined, undefined, undefined, undefined), "ended"),
      },
      { name: "status", fn: () => task.status("step") },
    ],
    timing(options),
  );
  const loop = figures.loop;
  return Object.fromEntries(
    Object.entries(figures)
      .filter(([name]) => name !== "loop")
      .map(([name, ns]) => [name, ns - loop]),
  );
}
