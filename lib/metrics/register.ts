import type { ProcessManager } from "../core/manager";
import { optionChecker, type Checker } from "../schema/validation";
import { proclistMetrics } from "./collectors";
import { EndCounts } from "./end-counts";
import { promClient } from "./prom";
import { promMetric } from "./prom-metric";

/**
 * A prom-client `Registry` (its `register`, or one the application made), as far as proclist's
 * types name it, so that they compile without prom-client installed; checked to be one at run time.
 */
export interface MetricsRegistry {
  getSingleMetric(...args: never[]): unknown;
  registerMetric(...args: never[]): unknown;
  removeSingleMetric(...args: never[]): unknown;
}

/** Options of `registerMetrics()` and of the API's `metrics` option. */
export interface MetricsOptions {
  /** Upper bounds (seconds, ascending) of `proclist_task_duration_seconds`. Default 5 ms to 5 min. */
  buckets?: number[] | undefined;
}

export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const checkMetricsOptions: Checker<MetricsOptions> = optionChecker<MetricsOptions>(
  {
    type: "object",
    additionalProperties: false,
    properties: { buckets: { type: "array", minItems: 1, maxItems: 100, items: { type: "number", exclusiveMinimum: 0, maximum: 1e9 } } },
  },
  "metrics option",
);

/** Throws a TypeError naming the option when `options` are not valid MetricsOptions. */
export function checkMetrics(options: unknown): asserts options is MetricsOptions {
  checkMetricsOptions(options);
  const buckets = options.buckets;
  if (buckets !== undefined && buckets.some((b, i) => i > 0 && b <= buckets[i - 1])) {
    throw new TypeError(`invalid metrics option "buckets" ${JSON.stringify(buckets)}: must be ascending, without repeats`);
  }
}

/**
 * Registers proclist's metrics for `manager` into a prom-client `Registry` (the application's
 * own, served on its `/metrics`): `proclist_tasks_running`, `proclist_tasks_total`,
 * `proclist_task_duration_seconds`, `proclist_phase_seconds_total`, `proclist_wait_seconds_total`,
 * `proclist_kills_total`.
 * Loads prom-client (an optional peer) now. Returns the function that removes them.
 * @example
 * import { register } from "prom-client";
 * registerMetrics(container.resolve(ProcessManager), register);
 */
export function registerMetrics(manager: ProcessManager, application: MetricsRegistry, options: MetricsOptions = {}): () => void {
  checkMetrics(options);
  const { Registry: RegistryClass } = promClient();
  if (!(application instanceof RegistryClass))
    throw new TypeError("registerMetrics: registry must be a prom-client Registry (e.g. its `register`)");
  const registry = application; // a Registry, checked just above
  const counts = new EndCounts(options.buckets ?? DEFAULT_BUCKETS);
  // The event loop's delay under prom-client's own names: a registry that collects prom-client's
  // default metrics has them already, and keeps its own.
  const defs = proclistMetrics(manager, counts).filter(
    (def) => !(def.name.startsWith("nodejs_") && registry.getSingleMetric(def.name) !== undefined),
  );
  const metrics = defs.map((def) => ({ name: def.name, metric: promMetric(def) }));
  // Before touching the manager: a name already taken throws here and leaves nothing half done.
  for (const m of metrics) {
    if (registry.getSingleMetric(m.name) !== undefined)
      throw new Error(`registerMetrics: the registry already has a metric named ${m.name}`);
  }
  for (const m of metrics) registry.registerMetric(m.metric as never);
  const unextend = manager.extend(counts);
  return () => {
    unextend();
    for (const m of metrics) if ((registry.getSingleMetric(m.name) as unknown) === m.metric) registry.removeSingleMetric(m.name);
  };
}
