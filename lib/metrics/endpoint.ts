import type { ProcessManager } from "../core/manager";
import { proclistMetrics, type MetricDef } from "./collectors";
import { EndCounts } from "./end-counts";
import { ExpositionWriter } from "./exposition";
import { checkMetrics, DEFAULT_BUCKETS, type MetricsOptions } from "./register";

/** What `GET /metrics` serves: the exposition text of one manager's metrics. */
export interface MetricsSource {
  /** The Prometheus text format 0.0.4 (UTF-8), read now. */
  body(): Buffer;
  /** Says that a body has been sent (the socket is done with it), so a later scrape may write over its memory instead of taking fresh memory. */
  sent(body: Buffer): void;
  /** Stops counting: removes the `ended` hook from the manager (the app's close calls it). */
  close(): void;
}

export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Starts counting durations and kills on `manager` (its `ended` hook) and returns what the API's `/metrics` serves. Needs no prom-client. */
export function metricsSource(manager: ProcessManager, options: MetricsOptions = {}): MetricsSource {
  checkMetrics(options);
  const counts = new EndCounts(options.buckets ?? DEFAULT_BUCKETS);
  const remove = manager.extend(counts);
  const defs: MetricDef[] = proclistMetrics(manager, counts);
  const writer = new ExpositionWriter();
  return { body: () => writer.write(defs), sent: (body) => writer.sent(body), close: remove };
}
