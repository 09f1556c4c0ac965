import { timeCases } from "../harness";
import { BareOrders } from "../subjects/orders";
import { OtelOrders } from "../subjects/otel";
import { timing, type CaseOptions, type Figures } from "./case";

/** One OpenTelemetry span per call, against the bare method in the same process (its own AsyncLocalStorage on). */
export async function run(options: CaseOptions): Promise<Figures> {
  const bare = new BareOrders();
  const otel = new OtelOrders();
  await otel.place("u", "i", 1);
  return timeCases(
    [
      { name: "bare sync", fn: (i) => bare.placeSync("ana", "book", i) },
      { name: "otel sync", fn: (i) => otel.placeSync("ana", "book", i) },
      { name: "bare async", fn: (i) => bare.place("ana", "book", i), async: true },
      { name: "otel async", fn: (i) => otel.place("ana", "book", i), async: true },
    ],
    timing(options),
  );
}
