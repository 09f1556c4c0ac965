import { expect } from "chai";
import { trace } from "@opentelemetry/api";
import { ProclistClient, ProcessManager, serve } from "../../lib";
import { proclist } from "../cli/fixture";
import { call, startApi } from "../http/http-helpers";
import { useOtelSdk } from "./sdk";

describe("trace ids on the wire", function () {
  this.timeout(60_000);
  const { tracer } = useOtelSdk();
  let api: Awaited<ReturnType<typeof startApi>>;
  let ids: { traceId: string; spanId: string };
  let release: () => void;

  beforeEach(async () => {
    const manager = new ProcessManager({ otel: true });
    api = await startApi({ manager, traceUrl: "https://tempo.example/trace/{traceId}?span={spanId}" });
    const gate = new Promise<void>((resolve) => (release = resolve));
    tracer.startActiveSpan("GET /slow", (span) => {
      ids = { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
      void manager.run(() => gate, { id: "traced", name: "slow" });
      span.end();
    });
    void manager.run(() => gate, { id: "plain", name: "untraced" });
    expect(trace.getActiveSpan()).to.equal(undefined);
  });

  afterEach(async () => {
    release();
    await api.close();
  });

  const link = () => `https://tempo.example/trace/${ids.traceId}?span=${ids.spanId}`;

  it("sends traceId and spanId on /procs/ and /procs/<id>, and leaves both out for a task without a trace", async () => {
    const list = (await call(api, "GET", "/procs/")).json;
    expect(list.procs.map((p: Record<string, unknown>) => [p.id, p.traceId, p.spanId])).to.deep.equal([
      ["traced", ids.traceId, ids.spanId],
      ["plain", undefined, undefined],
    ]);
    expect(Object.keys(list.procs[1])).to.not.include.members(["traceId", "spanId"]);
    expect((await call(api, "GET", "/procs/traced")).json.proc).to.include(ids);
  });

  it("keeps them on finished tasks", async () => {
    release();
    const finished = async () =>
      ((await call(api, "GET", "/procs/finished")).json.finished as Record<string, unknown>[]).find((p) => p.id === "traced");
    for (let i = 0; i < 500 && (await finished()) === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await finished()).to.include({ outcome: "ended", ...ids });
    expect((await call(api, "GET", "/procs/traced")).json)
      .to.deep.include({ running: false })
      .and.nested.include({ "proc.traceId": ids.traceId });
  });

  it("gives the client traceId, spanId and the history's trace link", async () => {
    const client = new ProclistClient(api.url);
    const [traced, plain] = (await client.processes()).procs;
    expect(traced).to.include(ids);
    expect(plain).to.not.have.any.keys("traceId", "spanId");
    expect((await client.history("traced")).traceUrl).to.equal(link());
    expect(await client.history("plain")).to.not.have.property("traceUrl");
  });

  it("shows them in proclist ls --json, and the link in proclist history", async () => {
    const label = `127.0.0.1:${api.port}`;
    const ls = await proclist(["ls", "--json", "-e", label]);
    expect(ls.code, ls.stderr).to.equal(0);
    expect(JSON.parse(ls.stdout)[0]).to.include({ id: "traced", ...ids });
    const history = await proclist(["history", "traced", "-e", label]);
    expect(history.code, history.stderr).to.equal(0);
    expect(history.stdout.split("\n")[1]).to.equal(`trace: ${link()}`);
    const json = await proclist(["history", "traced", "--json", "-e", label]);
    expect(JSON.parse(json.stdout)).to.include({ traceId: ids.traceId, traceUrl: link() });
    expect((await proclist(["history", "plain", "-e", label])).stdout).to.not.contain("trace:");
  });

  it("refuses a traceUrl that is not an http(s) template with {traceId}", async () => {
    for (const traceUrl of ["javascript:alert(1)//{traceId}", "https://tempo.example/trace/"]) {
      let error: unknown;
      await serve({ port: 0, traceUrl }).then(
        (s) => s.close(),
        (e) => (error = e),
      );
      expect(error, traceUrl).to.be.instanceOf(TypeError).with.property("message").that.contains('option "traceUrl"');
    }
  });
});
