import { timeCases } from "../harness";
import { timing, type CaseOptions, type Figures } from "./case";

/**
 * The process-wide price of async context: the same bare `await` timed in a process without any
 * AsyncLocalStorage (variant "none") and in one where proclist has run a task (variant "proclist").
 * The second also counts the AsyncLocalStorage instances proclist creates, which must stay at one.
 */
export async function run(options: CaseOptions): Promise<Figures> {
  const figures: Figures = {};
  if (options.variant === "proclist") {
    let created = 0;
    // Count instances by standing in for the class before proclist's modules load (the module
    // object itself: an ES namespace import would be read-only). Node 22+ exports the class
    // through a configurable getter, so the stand-in is defined, not assigned.
    const asyncHooks = require("node:async_hooks") as { AsyncLocalStorage: typeof import("node:async_hooks").AsyncLocalStorage };
    const Original = asyncHooks.AsyncLocalStorage;
    const CountedStorage = class CountedStorage<T> extends Original<T> {
      constructor() {
        super();
        created++;
      }
    };
    Object.defineProperty(asyncHooks, "AsyncLocalStorage", { value: CountedStorage, writable: true, enumerable: true, configurable: true });
    require("reflect-metadata");
    const { TrackedOrders } = require("../subjects/orders") as typeof import("../subjects/orders");
    await new TrackedOrders().place("u", "i", 1);
    new TrackedOrders().placeSync("u", "i", 1);
    figures["storages"] = created;
  }
  const noop = async (i: number): Promise<number> => i;
  Object.assign(figures, await timeCases([{ name: "await", fn: noop, async: true }], timing(options)));
  return figures;
}
