import { expect } from "chai";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer, get as httpsGet } from "node:https";
import { join } from "node:path";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import express from "express";
import polka from "polka";
import { enableOtel, ProcessManager, requestTracker, trackRequests } from "../../lib";
import { closeServer, until } from "../requests/fixture";
import { useOtelSdk } from "./sdk";

/** The base URL of a server once it listens on its loopback port. */
async function urlOf(server: Server): Promise<string> {
  if (!server.listening) await new Promise((resolve) => server.once("listening", resolve));
  const address = server.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

describe("OpenTelemetry: request spans follow the HTTP server semantic conventions", () => {
  const { exporter, tracer } = useOtelSdk();
  let pm: ProcessManager;
  let server: Server | undefined;

  beforeEach(() => {
    pm = new ProcessManager();
    enableOtel(pm, { spans: true, tracer });
  });
  afterEach(async () => {
    if (server !== undefined) await closeServer(server);
    server = undefined;
  });

  /** The finished spans once `count` of them ended. */
  async function spans(count: number): Promise<ReadableSpan[]> {
    await until(() => exporter.getFinishedSpans().length >= count, 10_000, `${count} spans`);
    return exporter.getFinishedSpans();
  }

  for (const framework of ["polka", "express"] as const) {
    it(`${framework}: the outermost span is SERVER, named METHOD route, with method, path, route and status code`, async () => {
      if (framework === "polka") {
        const app = polka()
          .use(requestTracker({ manager: pm }))
          .get("/orders/:id", (_req, res) => res.end("ok"));
        server = app.listen(0, "127.0.0.1").server!;
      } else {
        const app = express();
        app.use(requestTracker({ manager: pm }));
        app.get("/orders/:id", (_req, res) => void res.send("ok"));
        server = app.listen(0, "127.0.0.1");
      }
      expect((await fetch(`${await urlOf(server)}/orders/7?full=1`)).status).to.equal(200);
      const [span] = await spans(1);
      expect(span.name).to.equal("GET /orders/:id");
      expect(span.kind).to.equal(SpanKind.SERVER);
      expect(span.attributes).to.deep.include({
        "http.request.method": "GET",
        "url.path": "/orders/7",
        "url.scheme": "http",
        "http.route": "/orders/:id",
        "http.response.status_code": 200,
      });
      expect(span.status.code).to.equal(SpanStatusCode.UNSET);
    });
  }

  it("a request no route took is named by its method alone, without http.route; a 5xx answer is an error, a 4xx is not", async () => {
    const app = polka({ onNoMatch: (_req, res) => ((res.statusCode = 404), res.end()) })
      .use(requestTracker({ manager: pm }))
      .get("/boom", (_req, res) => ((res.statusCode = 500), res.end()));
    server = app.listen(0, "127.0.0.1").server!;
    const url = await urlOf(server);
    expect((await fetch(`${url}/nowhere/42`)).status).to.equal(404);
    expect((await fetch(`${url}/boom`)).status).to.equal(500);
    const [missing, boom] = await spans(2);
    expect(missing.name).to.equal("GET");
    expect(missing.attributes).to.not.have.property("http.route");
    expect(missing.attributes).to.deep.include({ "url.path": "/nowhere/42", "http.response.status_code": 404 });
    expect(missing.status.code).to.equal(SpanStatusCode.UNSET);
    expect(missing.attributes).to.not.have.property("error.type");
    expect(boom.name).to.equal("GET /boom");
    expect(boom.status.code).to.equal(SpanStatusCode.ERROR);
    expect(boom.attributes).to.deep.include({ "error.type": "500", "http.response.status_code": 500 });
  });

  it("says url.scheme https for a request on a TLS connection", async () => {
    const tls = createHttpsServer({ key: TEST_KEY, cert: TEST_CERT }, (_req, res) => res.end("ok"));
    server = tls;
    trackRequests(tls, { manager: pm });
    tls.listen(0, "127.0.0.1");
    const port = (await urlOf(tls)).split(":").pop();
    await new Promise<void>((resolve, reject) =>
      httpsGet({ host: "127.0.0.1", port, path: "/x", rejectUnauthorized: false }, (res) => res.resume().on("end", resolve)).on(
        "error",
        reject,
      ),
    );
    const [span] = await spans(1);
    expect(span.attributes).to.deep.include({ "url.scheme": "https", "url.path": "/x" });
  });

  it("under the span an HTTP instrumentation opened for the request, proclist's is INTERNAL, its child", async () => {
    server = createServer((_req, res) => res.end("ok"));
    trackRequests(server, { manager: pm });
    // What an HTTP instrumentation does: the server's request event runs inside its SERVER span.
    const tracked = server.emit;
    server.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
      if (event !== "request") return Reflect.apply(tracked, this, [event, ...args]) as boolean;
      return tracer.startActiveSpan("GET", { kind: SpanKind.SERVER }, (outer) => {
        try {
          return Reflect.apply(tracked, this, [event, ...args]) as boolean;
        } finally {
          outer.end();
        }
      });
    } as Server["emit"];
    server.listen(0, "127.0.0.1");
    expect((await fetch(`${await urlOf(server)}/plain`)).status).to.equal(200);
    const all = await spans(2);
    const outer = all.find((s) => s.kind === SpanKind.SERVER)!;
    const own = all.find((s) => s !== outer)!;
    expect(own.kind).to.equal(SpanKind.INTERNAL);
    expect(own.parentSpanContext?.spanId).to.equal(outer.spanContext().spanId);
    expect(own.attributes).to.deep.include({ "http.request.method": "GET", "url.path": "/plain", "http.response.status_code": 200 });
  });
});

describe("OpenTelemetry: the instrumentation scope of proclist's spans", () => {
  it("is proclist with its version, from the registered provider's tracer", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    try {
      const pm = new ProcessManager();
      enableOtel(pm, { spans: true });
      await pm.run(async () => 1, { name: "Job.run" });
      const [span] = exporter.getFinishedSpans();
      const { version } = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8")) as { version: string };
      expect(span.instrumentationScope).to.deep.include({ name: "proclist", version });
    } finally {
      trace.disable();
    }
  });
});

/** A self-signed key and certificate for 127.0.0.1 (valid for a century), for the TLS case only. */
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgE9VCjTfa8pG/p2fP
iCpzajDjmgKxKZK5Et6UO9ZPXRahRANCAARuYRJUT96Hb5BSwmtq6qW02asX0i4t
843QIBfvwPa9urkWBHP/oFMlrD4rRGAwbYaek3/CRrdi3hOHKFbGxLca
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBfzCCASWgAwIBAgIUZEZh8FqACcNR5sZTT8f+W69fOwwwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNjIzNDUyMFoYDzIxMjYxMTEy
MjM0NTIwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARuYRJUT96Hb5BSwmtq6qW02asX0i4t843QIBfvwPa9urkWBHP/oFMl
rD4rRGAwbYaek3/CRrdi3hOHKFbGxLcao1MwUTAdBgNVHQ4EFgQUJBbvgE/jzo3U
5IH+ABJePDONpBgwHwYDVR0jBBgwFoAUJBbvgE/jzo3U5IH+ABJePDONpBgwDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiAgVaTPJs4dVk0XH3yovRUr
q4LczGGg6S9qNhlc4JhYMQIhALWez91bsFNmuyQU7NVkfmSVji6dZ0F1ZmsE+xX9
vHqg
-----END CERTIFICATE-----
`;
