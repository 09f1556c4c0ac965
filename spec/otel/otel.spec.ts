import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { CancelError, ProcessManager, Status, Tracked, currentTask, enableOtel, type Task } from "../../lib";
import { rejectionOf, tick } from "../helpers";
import { ms, useOtelSdk } from "./sdk";

describe("OpenTelemetry", () => {
  const { exporter, tracer } = useOtelSdk();
  let pm: ProcessManager;

  const span = (name: string): ReadableSpan => {
    const found = exporter.getFinishedSpans().filter((s) => s.name === name);
    expect(found, `spans named ${name}`).to.have.length(1);
    return found[0];
  };
  const lastTask = () => pm.finishedTasks().at(-1)!;

  describe("otel: true", () => {
    beforeEach(() => {
      pm = new ProcessManager({ otel: true });
    });

    it("records the trace and span ids of the span active where a task starts, across awaits", async () => {
      await tracer.startActiveSpan("GET /orders", async (server) => {
        await tick();
        await pm.run(async () => tick(), { name: "handler" });
        server.end();
      });
      const server = span("GET /orders").spanContext();
      expect(lastTask().fields).to.deep.equal({ traceId: server.traceId, spanId: server.spanId });
      expect(exporter.getFinishedSpans().map((s) => s.name)).to.deep.equal(["GET /orders"]);
    });

    it("records nothing for a task started outside any span", () => {
      pm.run(() => 1, { name: "plain" });
      expect(lastTask().fields).to.equal(undefined);
    });
  });

  describe("spans: true", () => {
    beforeEach(() => {
      pm = new ProcessManager();
      enableOtel(pm, { spans: true, tracer });
    });

    class Orders {
      constructor(readonly pm: ProcessManager) {}
      @Tracked({ name: "Orders.place", attrs: (user: string, qty: number) => ({ user, qty, tags: ["a", "b"], meta: { vip: true } }) })
      async place(_user: string, _qty: number): Promise<string> {
        this.phase("validating");
        await tick();
        this.phase("charging");
        return tracer.startActiveSpan("db.query", (inner) => (inner.end(), "done"));
      }
      @Status((text: string) => text)
      phase(_text: string): void {}
    }

    it("opens a span named after the task, child of the active span, with its attributes, statuses as timed events and its end time", async () => {
      await tracer.startActiveSpan("GET /orders", async (server) => {
        await new Orders(pm).place("ana", 3);
        server.end();
      });
      const task = lastTask();
      const own = span("Orders.place");
      expect(own.parentSpanContext?.spanId).to.equal(span("GET /orders").spanContext().spanId);
      expect(own.attributes).to.deep.equal({ user: "ana", qty: 3, tags: ["a", "b"], meta: '{"vip":true}' });
      const history = pm.history(task.id).slice(1, -1);
      expect(own.events.map((e) => e.name)).to.deep.equal(["validating", "charging"]);
      own.events.forEach((event, i) => expect(ms(event.time)).to.be.closeTo(history[i].ts, 0.01));
      expect(ms(own.startTime)).to.be.closeTo(task.startTime, 0.01);
      expect(ms(own.endTime)).to.be.closeTo(task.endTime, 0.01);
      expect(own.status.code).to.equal(SpanStatusCode.UNSET);
      expect(task.fields).to.deep.equal({ traceId: own.spanContext().traceId, spanId: own.spanContext().spanId });
    });

    it("is the active context while the task runs, so spans started inside nest under it, tracked or not", async () => {
      class Outer {
        constructor(readonly pm: ProcessManager) {}
        @Tracked({ name: "outer" })
        async run(): Promise<void> {
          await tick();
          await new Orders(this.pm).place("bob", 1);
        }
      }
      await new Outer(pm).run();
      const outer = span("outer");
      expect(outer.parentSpanContext).to.equal(undefined);
      expect(span("Orders.place").parentSpanContext?.spanId).to.equal(outer.spanContext().spanId);
      expect(span("db.query").parentSpanContext?.spanId).to.equal(span("Orders.place").spanContext().spanId);
      expect(trace.getActiveSpan()).to.equal(undefined);
    });

    it("records a kill as an event with its message, and ends the span with status ERROR and the message", async () => {
      const running = pm.run(
        async (task) => {
          await new Promise((resolve) => task.signal.addEventListener("abort", resolve, { once: true }));
          task.checkCancel();
        },
        { id: "slow", name: "slow" },
      );
      pm.kill("slow", "operator says stop", "ops");
      expect(await rejectionOf(running)).to.be.instanceOf(CancelError);
      const own = span("slow");
      const kill = own.events.find((e) => e.name === "cancel request");
      expect(kill?.attributes).to.deep.equal({ "proclist.kill.message": "operator says stop", "proclist.kill.by": "ops" });
      expect(ms(kill!.time)).to.be.closeTo(pm.history("slow")[1].ts, 0.01);
      expect(own.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: "operator says stop" });
    });

    it("records an abort as the exception, with status ERROR and its message", async () => {
      await rejectionOf(pm.run(async () => Promise.reject(new RangeError("no stock")), { name: "failing" }));
      const own = span("failing");
      const exception = own.events.find((e) => e.name === "exception");
      expect(exception?.attributes?.["exception.type"]).to.equal("RangeError");
      expect(exception?.attributes?.["exception.message"]).to.equal("no stock");
      expect(own.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: "no stock" });
    });

    it("adds attributes set while the task runs", () => {
      pm.run((task) => task.setAttribute("rows", 42), { name: "counting" });
      expect(span("counting").attributes).to.deep.equal({ rows: 42 });
    });

    it("ends the spans of running tasks when switched off, and opens none after", () => {
      pm.start("open", { name: "open" });
      pm.setOptions({ otel: false });
      expect(span("open").ended).to.equal(true);
      pm.done("open");
      pm.run(() => 1, { name: "after" });
      expect(exporter.getFinishedSpans().map((s) => s.name)).to.deep.equal(["open"]);
    });

    it("never breaks the task when the tracer throws", async () => {
      const broken = {
        startSpan: () => {
          throw new Error("exporter down");
        },
      } as unknown as Tracer;
      enableOtel(pm, { spans: true, tracer: broken });
      expect(await pm.run(async () => (await tick(), currentTask()?.name), { name: "safe" })).to.equal("safe");
      expect((lastTask() as Task).outcome).to.equal("ended");
    });
  });

  describe("options", () => {
    it("rejects a bad otel option with a TypeError naming it", () => {
      expect(() => new ProcessManager({ otel: "yes" as unknown as boolean })).to.throw(TypeError, /option "otel" "yes"/);
      expect(() => new ProcessManager({ otel: { spanz: true } as never })).to.throw(TypeError, /unknown otel option "spanz"/);
      expect(() => new ProcessManager({ otel: { spans: 1 } as never })).to.throw(TypeError, /otel option "spans" 1/);
    });
  });

  describe("loading", () => {
    const lib = join(__dirname, "../../lib");
    const loaded = (script: string) =>
      JSON.parse(
        execFileSync(
          process.execPath,
          ["-e", `${script}; console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /@opentelemetry|prom-client/.test(k))))`],
          { encoding: "utf8" },
        ),
      ) as string[];

    it("loads no OpenTelemetry (nor prom-client) when otel is off, even with tasks running", () => {
      expect(
        loaded(`const p = require(${JSON.stringify(lib)}); const m = new p.ProcessManager({ otel: false }); m.run(() => 1)`),
      ).to.deep.equal([]);
    });

    it("loads @opentelemetry/api when asked, and only it", () => {
      const modules = loaded(`const p = require(${JSON.stringify(lib)}); new p.ProcessManager({ otel: true }).run(() => 1)`);
      expect(modules.length).to.be.greaterThan(0);
      expect(modules.every((m) => m.includes("@opentelemetry/api"))).to.equal(true);
    });
  });
});
