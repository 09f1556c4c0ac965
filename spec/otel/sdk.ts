import { context, type HrTime, type Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

/** The real OpenTelemetry SDK as a service sets it up, exporting to memory: the spans a suite can read. */
export interface OtelSdk {
  exporter: InMemorySpanExporter;
  tracer: Tracer;
}

/** Registers the SDK's AsyncLocalStorage context manager for the enclosing `describe`, and empties the exporter before each test. */
export function useOtelSdk(): OtelSdk {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  before(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  after(() => {
    context.disable();
  });
  beforeEach(() => exporter.reset());
  return { exporter, tracer: provider.getTracer("spec") };
}

/** An OpenTelemetry time as epoch ms. */
export const ms = (time: HrTime): number => time[0] * 1e3 + time[1] / 1e6;
