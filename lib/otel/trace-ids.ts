import type { Span } from "@opentelemetry/api";
import type { TaskExtension } from "../core/extension";
import type { Task } from "../core/task";
import type { Api } from "./api";

/** A span's ids as task fields, or undefined for a span that records nothing (no SDK, no parent). */
export function spanFields(api: Api, span: Span): Record<string, string> | undefined {
  const ids = span.spanContext();
  // A comparison with the all-zero ids, not isSpanContextValid's two regular expressions: this runs for every task.
  return ids.traceId === api.INVALID_TRACEID || ids.spanId === api.INVALID_SPANID || ids.traceId === ""
    ? undefined
    : { traceId: ids.traceId, spanId: ids.spanId };
}

/** Records on each task the trace and span ids of the span active where it started (e.g. the HTTP server span). */
export function traceIds(api: Api): TaskExtension {
  return {
    started(task: Task): void {
      const span = api.trace.getSpan(api.context.active());
      if (span !== undefined) task.fields = spanFields(api, span);
    },
  };
}
