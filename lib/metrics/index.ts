// proclist/metrics: tasks as Prometheus metrics in the application's prom-client registry
// (prom-client is an optional peer, loaded when registering). The API's own `/metrics` needs none.

export { registerMetrics } from "./register";
export type { MetricsOptions, MetricsRegistry } from "./register";
