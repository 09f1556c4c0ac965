import type { MetricDef } from "./collectors";

/** A sample as prom-client's registry formats it. */
interface Sample {
  labels: Record<string, string>;
  value: number;
  metricName?: string;
}

/**
 * A metric in the shape prom-client's `Registry` reads (`name`, `help`, `type`, `get()`), so the
 * application's own registry writes proclist's metrics with its default labels, as text or JSON.
 */
export function promMetric(def: MetricDef): object {
  const { name, help, type, labelNames } = def;
  return {
    name,
    help,
    type,
    aggregator: "sum",
    get() {
      const values: Sample[] = [];
      def.collect((_key, _rev, samples) =>
        samples((labelValues, value, suffix) => {
          const labels: Record<string, string> = {};
          for (let i = 0; i < labelValues.length; i++) labels[i < labelNames.length ? labelNames[i] : "le"] = labelValues[i];
          values.push(suffix === undefined ? { labels, value } : { labels, value, metricName: name + suffix });
        }),
      );
      return { name, help, type, aggregator: "sum", values };
    },
    // prom-client's resetMetrics() calls it: these are the manager's own counts, which it leaves alone.
    reset() {},
  };
}
