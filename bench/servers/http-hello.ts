import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { CaseOptions, Figures } from "../cases/case";

/**
 * A `node:http` hello server (or a polka one with variant prefix "polka-"), untracked ("bare"),
 * with every request a proclist task ("proclist": `trackRequests` on the server, `requestTracker`
 * as polka's first middleware, defaults), or under OpenTelemetry's own HTTP instrumentation
 * ("otel": the SDK with a batch processor to an exporter that drops the spans, context through
 * AsyncLocalStorage), which is what a team choosing a request tracker would compare it with.
 * OpenTelemetry is loaded only for its variant, before `node:http` is, as its instrumentation
 * patches the module on load.
 */
export async function start(options: CaseOptions): Promise<Figures> {
  const variant = String(options.variant);
  const polkaApp = variant.startsWith("polka-");
  const kind = polkaApp ? variant.slice(6) : variant;
  if (kind === "otel") otel();
  const http = require("node:http") as typeof import("node:http");
  const hello = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": 17 }).end('{"hello":"world"}');
  };
  let server: import("node:http").Server;
  if (polkaApp) {
    const polka = require("polka") as typeof import("polka");
    const app = polka();
    if (kind === "proclist") app.use((require("../../lib") as typeof import("../../lib")).requestTracker());
    app.get("/hello/:who", hello);
    server = http.createServer(app.handler as never);
  } else {
    server = http.createServer(hello);
    if (kind === "proclist") (require("../../lib") as typeof import("../../lib")).trackRequests(server);
  }
  if (!["bare", "proclist", "otel"].includes(kind)) throw new TypeError(`unknown variant ${variant}`);
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return { port: (server.address() as AddressInfo).port };
}

/** OpenTelemetry as its getting-started guide sets up HTTP tracing, exporting to nowhere. */
function otel(): void {
  const { context, trace } = require("@opentelemetry/api") as typeof import("@opentelemetry/api");
  const { AsyncLocalStorageContextManager } =
    require("@opentelemetry/context-async-hooks") as typeof import("@opentelemetry/context-async-hooks");
  const { BasicTracerProvider, BatchSpanProcessor } =
    require("@opentelemetry/sdk-trace-base") as typeof import("@opentelemetry/sdk-trace-base");
  const { registerInstrumentations } = require("@opentelemetry/instrumentation") as typeof import("@opentelemetry/instrumentation");
  const { HttpInstrumentation } = require("@opentelemetry/instrumentation-http") as typeof import("@opentelemetry/instrumentation-http");
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = {
    export: (_spans: unknown, done: (r: { code: number }) => void) => done({ code: 0 }),
    shutdown: () => Promise.resolve(),
  };
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  registerInstrumentations({ instrumentations: [new HttpInstrumentation()], tracerProvider: provider });
}
