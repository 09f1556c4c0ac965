import "reflect-metadata";
import { ProcessManager } from "../../lib";
import { timeCases } from "../harness";
import { BareOrders, TrackedOrders } from "../subjects/orders";
import { OtelOrders } from "../subjects/otel";
import { timing, type CaseOptions, type Figures } from "./case";

/**
 * proclist's task spans against a bare OpenTelemetry span with the same attributes and events, in
 * one process with the same SDK (subjects/otel.ts: batching, AsyncLocalStorage context). The
 * tracked twin without OpenTelemetry runs beside them, on a manager where it was never enabled.
 */
export async function run(options: CaseOptions): Promise<Figures> {
  const bare = new BareOrders();
  const otel = new OtelOrders();
  const tracked = Object.assign(new TrackedOrders(), { pm: new ProcessManager() });
  const spans = Object.assign(new TrackedOrders(), { pm: new ProcessManager({ otel: { spans: true } }) });
  await tracked.place("u", "i", 1);
  await spans.place("u", "i", 1);
  await otel.place("u", "i", 1);
  return timeCases(
    [
      { name: "bare sync", fn: (i) => bare.placeSync("ana", "book", i) },
      { name: "tracked sync", fn: (i) => tracked.placeSync("ana", "book", i) },
      { name: "spans sync", fn: (i) => spans.placeSync("ana", "book", i) },
      { name: "otel sync", fn: (i) => otel.placeSync("ana", "book", i) },
      { name: "bare async", fn: (i) => bare.place("ana", "book", i), async: true },
      { name: "tracked async", fn: (i) => tracked.place("ana", "book", i), async: true },
      { name: "spans async", fn: (i) => spans.place("ana", "book", i), async: true },
      { name: "otel async", fn: (i) => otel.place("ana", "book", i), async: true },
    ],
    timing(options),
  );
}
