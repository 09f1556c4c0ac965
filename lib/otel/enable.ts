import type { Tracer } from "@opentelemetry/api";
import type { ProcessManager } from "../core/manager";
import { optionChecker, type Checker } from "../schema/validation";
import { otelApi } from "./api";
import { TaskSpans } from "./task-spans";
import { traceIds } from "./trace-ids";
import { proclistVersion } from "./version";

/** Options of `enableOtel()` and of the manager option `otel`. */
export interface OtelOptions {
  /** Each task opens its own span (child of the active span) instead of only recording the active span's ids. Default false. */
  spans?: boolean | undefined;
  /** The tracer task spans come from. Default `trace.getTracer("proclist", <its version>)`, from the registered provider. */
  tracer?: OtelTracer | undefined;
}

/**
 * An OpenTelemetry `Tracer`, as far as proclist's types name it, so that they compile without
 * @opentelemetry/api installed: task spans are started on it.
 */
export interface OtelTracer {
  startSpan(...args: never[]): unknown;
}

const checkOtelOptions: Checker<OtelOptions> = optionChecker<OtelOptions>(
  {
    type: "object",
    additionalProperties: false,
    properties: { spans: { type: "boolean" }, tracer: { type: "object" } },
  },
  "otel option",
);

const installed = new WeakMap<ProcessManager, () => void>();

/**
 * Ties a manager's tasks to OpenTelemetry: each task started under an active span records its
 * `traceId` and `spanId`; with `spans: true` each task opens a span of its own. Loads
 * `@opentelemetry/api` (an optional peer) now. Replaces an earlier call's set-up; returns the
 * function that switches it off.
 * @example
 * enableOtel(container.resolve(ProcessManager), { spans: true });
 */
export function enableOtel(manager: ProcessManager, options: OtelOptions = {}): () => void {
  checkOtelOptions(options);
  const api = otelApi();
  disableOtel(manager);
  let remove: () => void;
  if (options.spans === true) {
    const spans = new TaskSpans(api, (options.tracer as Tracer | undefined) ?? api.trace.getTracer("proclist", proclistVersion()), manager);
    const unextend = manager.extend(spans);
    remove = () => {
      unextend();
      spans.close();
    };
  } else {
    remove = manager.extend(traceIds(api));
  }
  const off = () => {
    if (installed.get(manager) !== off) return;
    installed.delete(manager);
    remove();
  };
  installed.set(manager, off);
  return off;
}

/** Switches off what `enableOtel` (or the `otel` option) set up on this manager; spans still open end now. */
export function disableOtel(manager: ProcessManager): void {
  installed.get(manager)?.();
}
