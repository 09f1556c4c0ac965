import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";

/**
 * The peer: OpenTelemetry's SDK as a service would set it up (batching, an exporter, async
 * context through AsyncLocalStorage), exporting to nowhere so only the tracing itself is timed.
 */
const noopExporter: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
};
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(noopExporter)] }));
const tracer = trace.getTracer("bench");

function event(name: string): void {
  trace.getActiveSpan()?.addEvent(name);
}

/** BareOrders' body in one span with 3 attributes and an event per phase, sync and async. */
export class OtelOrders {
  place(user: string, item: string, qty: number): Promise<number> {
    return tracer.startActiveSpan("Orders.place", { attributes: { user, item, qty } }, async (span) => {
      try {
        this.validate(user);
        this.reserve(item);
        this.charge(qty);
        return qty;
      } finally {
        span.end();
      }
    });
  }

  placeSync(user: string, item: string, qty: number): number {
    return tracer.startActiveSpan("Orders.placeSync", { attributes: { user, item, qty } }, (span) => {
      try {
        this.validate(user);
        this.reserve(item);
        this.charge(qty);
        return qty;
      } finally {
        span.end();
      }
    });
  }

  validate(_user: string): void {
    event("validating");
  }
  reserve(_item: string): void {
    event("reserving");
  }
  charge(_qty: number): void {
    event("charging");
  }
}
