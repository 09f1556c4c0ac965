import type { Attributes, Context, HrTime, Span, Tracer } from "@opentelemetry/api";
import { TaskSlot, type TaskExtension } from "../core/extension";
import type { ProcessManager } from "../core/manager";
import type { RequestFacts, Task } from "../core/task";
import type { Api } from "./api";
import { spanAttributes, spanValue } from "./attributes";
import { spanFields } from "./trace-ids";

interface OpenSpan {
  readonly span: Span;
  /** The caller's context with the task's span set: the task's code runs in it. */
  readonly context: Context;
  /** The attributes the span started with: those the task has otherwise at its end are set then. */
  readonly attributes: Attributes;
  /** Whether the task's cancel request is on the span already. */
  killed: boolean;
}

/**
 * One span per task: named after the task, child of the span active where it started, the task's
 * attributes as attributes, each status an event at its time, ended at the task's end time. The
 * span is the active context while the task's code runs, so spans started inside nest under it.
 * The span lives on the task (a slot), and statuses come through the manager's `status` hook: no
 * Map, and no event object per status.
 */
export class TaskSpans implements TaskExtension {
  private readonly slot: TaskSlot<OpenSpan>;

  constructor(
    private readonly api: Api,
    private readonly tracer: Tracer,
    private readonly manager: ProcessManager,
  ) {
    this.slot = new TaskSlot(manager);
  }

  started(task: Task): void {
    const parent = this.api.context.active();
    const attributes = spanAttributes(task.attrs);
    const request = task.request;
    let name = task.name;
    let kind = this.api.SpanKind.INTERNAL;
    if (request !== undefined) {
      // OpenTelemetry's HTTP server conventions: `METHOD route` (or `METHOD`), SERVER when it is
      // the request's outermost span, INTERNAL under the span an HTTP instrumentation opened.
      name = requestSpanName(request);
      if (this.api.trace.getSpan(parent) === undefined) kind = this.api.SpanKind.SERVER;
      attributes["http.request.method"] = request.method;
      attributes["url.path"] = request.path;
      attributes["url.scheme"] = request.scheme;
      if (request.route !== undefined) attributes["http.route"] = request.route;
    }
    const span = this.tracer.startSpan(name, { kind, attributes, startTime: hrTimeOf(task.startTime) }, parent);
    task.fields = spanFields(this.api, span);
    this.slot.set(task, { span, context: this.api.trace.setSpan(parent, span), attributes, killed: false });
  }

  enter<R>(task: Task, run: () => R): R {
    const open = this.slot.get(task);
    return open === undefined ? run() : this.api.context.with(open.context, run);
  }

  status(task: Task, text: string, ts: number): void {
    const open = this.slot.get(task);
    if (open === undefined) return;
    if (task.cancel === undefined || open.killed) {
      open.span.addEvent(text, hrTimeOf(ts));
      return;
    }
    open.killed = true;
    open.span.addEvent("cancel request", killAttributes(task.cancel.reason, task.killedBy), hrTimeOf(ts));
  }

  ended(task: Task, error: unknown): void {
    const open = this.slot.get(task);
    if (open === undefined) return;
    this.slot.set(task, undefined);
    const { span } = open;
    // Attributes set while the task ran (OpenTelemetry has no removal: one deleted stays as it began).
    for (const key in task.attrs) {
      const raw = task.attrs[key];
      if (raw === open.attributes[key]) continue;
      const value = spanValue(raw);
      if (value !== undefined && value !== open.attributes[key]) span.setAttribute(key, value);
    }
    const request = task.request;
    if (request !== undefined) {
      // The route may be known only now (routing came after the span started), and the status only at the end.
      if (request.route !== undefined && open.attributes["http.route"] !== request.route) {
        span.setAttribute("http.route", request.route);
        span.updateName(requestSpanName(request));
      }
      if (request.status !== undefined) span.setAttribute("http.response.status_code", request.status);
    }
    const end = hrTimeOf(task.endTime);
    if (task.outcome === "killed") {
      span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: task.cancel?.reason ?? "killed" });
    } else if (task.outcome === "aborted") {
      span.recordException(error instanceof Error ? error : String(error), end);
      span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: task.error ?? "aborted" });
    } else if (request?.status !== undefined && request.status >= 500) {
      // A server span's error is a 5xx answer; a 4xx is the client's.
      span.setStatus({ code: this.api.SpanStatusCode.ERROR });
    }
    // The conventions' kind of error for a 5xx answer (a kill's 503 included) is its status code.
    if (request?.status !== undefined && request.status >= 500) span.setAttribute("error.type", String(request.status));
    span.end(end);
  }

  /** Ends the spans of tasks still running when tracing is switched off, so none stays open, and gives the slot back. */
  close(): void {
    for (const task of this.manager.tasks()) {
      const open = this.slot.get(task);
      if (open === undefined) continue;
      this.slot.set(task, undefined);
      open.span.end();
    }
    this.slot.release();
  }
}

/** `GET /orders/:id`, or `GET` while no route is known. */
function requestSpanName(request: RequestFacts): string {
  return request.route === undefined ? request.method : `${request.method} ${request.route}`;
}

function killAttributes(message: string | undefined, by: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (message !== undefined) out["proclist.kill.message"] = message;
  if (by !== undefined) out["proclist.kill.by"] = by;
  return out;
}

/**
 * Epoch ms as OpenTelemetry's [seconds, nanoseconds]: the SDK takes a tuple as it is, where a
 * number costs it a `performance.now()` to tell an epoch time from a performance one.
 */
function hrTimeOf(ms: number): HrTime {
  const seconds = Math.trunc(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}
