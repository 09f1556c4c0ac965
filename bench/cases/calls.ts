import "reflect-metadata";
import { timeCases } from "../harness";
import { BareOrders, TrackedOrders } from "../subjects/orders";
import { FloorOrders } from "../subjects/floor";
import { timing, type CaseOptions, type Figures } from "./case";

/**
 * Per-call cost of proclist: bare methods, the Node floor and the tracked twins, side by side in
 * one process holding one AsyncLocalStorage (proclist's), so every await pays the same hooks.
 */
export async function run(options: CaseOptions): Promise<Figures> {
  const bare = new BareOrders();
  const floor = new FloorOrders();
  const tracked = new TrackedOrders();
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
    ],
    timing(options),
  );
}
