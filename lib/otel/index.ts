// proclist/otel: ties tasks to OpenTelemetry (each task records the trace and span it started
// under, or opens a span of its own). @opentelemetry/api is an optional peer, loaded when enabled.

export { enableOtel, disableOtel } from "./enable";
export type { OtelOptions, OtelTracer } from "./enable";
