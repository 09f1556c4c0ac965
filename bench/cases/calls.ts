import "reflect-metadata";
import { timeCases } from "../harness";
import { BareOrders, TrackedOrders } from "../subjects/orders";
import { FloorOrders } from "../subjects/floor";
import { now } from "../../lib/core/clock";
import { taskContext } from "../../lib/core/context";
import { ProcessManager } from "../../lib/core/manager";
import { timing, type CaseOptions, type Figures } from "./case";

/**
 * Per-call cost of proclist: bare methods, the Node floor and the tracked twins, side by side in
 * one process holding one AsyncLocalStorage (proclist's), so every await pays the same hooks.
 */
export async function run(options: CaseOptions): Promise<Figures> {
  const bare = new BareOrders();
  const floor = new FloorOrders();
  const tracked = new TrackedOrders();
  const storage = taskContext as unknown as { run<R>(store: object, fn: () => R): R };
  const stores = [{}, {}];
  const noop = (): number => 1;
  // The explicit API as the Go original's benchmark drives it: Start with 3 attributes, 3 Status, Done.
  const pm = new ProcessManager();
  const explicit = (i: number): number => {
    const id = `e${i}`;
    const task = pm.start(id, { name: "place", attrs: { user: "ana", item: "book", qty: i } });
    task.status("validating");
    task.status("reserving");
    task.status("charging");
    pm.done(id);
    return i;
  };
  // Turn the async hooks on before any baseline is timed: proclist's first task does it in production.
  await tracked.place("u", "i", 1);
  return timeCases(
    [
      { name: "bare sync", fn: (i) => bare.placeSync("ana", "book", i) },
      { name: "floor sync", fn: (i) => floor.placeSync("ana", "book", i) },
      { name: "tracked sync", fn: (i) => tracked.placeSync("ana", "book", i) },
      { name: "bare async", fn: (i) => bare.place("ana", "book", i), async: true },
      { name: "floor async", fn: (i) => floor.place("ana", "book", i), async: true },
      { name: "tracked async", fn: (i) => tracked.place("ana", "book", i), async: true },
      { name: "explicit", fn: explicit },
      // The two pieces of the floor no tracker with async context and timed phases can skip.
      { name: "context run", fn: (i) => storage.run(stores[i & 1], noop) },
      { name: "timestamp", fn: () => now() },
    ],
    timing(options),
  );
}
