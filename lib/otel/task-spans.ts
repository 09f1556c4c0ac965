import type { Context, Span, Tracer } from "@opentelemetry/api";
import type { TaskEvent } from "../core/events";
import type { TaskExtension } from "../core/extension";
import type { Task } from "../core/task";
import type { Api } from "./api";
import { spanAttributes, spanValue } from "./attributes";
import { spanFields } from "./trace-ids";

interface OpenSpan {
  span: Span;
  /** The caller's context with the task's span set: the task's code runs in it. */
  context: Context;
}

/**
 * One span per task: named after the task, child of the span active where it started, the task's
 * attributes as attributes, each status an event at its time, ended at the task's end time. The
 * span is the active context while the task's code runs, so spans started inside nest under it.
 */
export class TaskSpans implements TaskExtension {
  private readonly open = new Map<Task, OpenSpan>();

  constructor(
    private readonly api: Api,
    private readonly tracer: Tracer,
  ) {}

  started(task: Task): void {
    const parent = this.api.context.active();
    const span = this.tracer.startSpan(task.name, { attributes: spanAttributes(task.attrs), startTime: task.startTime }, parent);
    task.fields = spanFields(this.api, span);
    this.open.set(task, { span, context: this.api.trace.setSpan(parent, span) });
  }

  enter<R>(task: Task, run: () => R): R {
    const open = this.open.get(task);
    return open === undefined ? run() : this.api.context.with(open.context, run);
  }

  ended(task: Task, error: unknown): void {
    const open = this.open.get(task);
    if (open === undefined) return;
    this.open.delete(task);
    const { span } = open;
    const end = task.endTime;
    if (task.outcome === "killed") {
      span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: task.cancel?.reason ?? "killed" });
    } else if (task.outcome === "aborted") {
      span.recordException(error instanceof Error ? error : String(error), end);
      span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: task.error ?? "aborted" });
    }
    span.end(end);
  }

  /** Statuses, attribute changes and kills, from the manager's events. */
  readonly onEvent = (event: TaskEvent): void => {
    if (event.type === "start" || event.type === "done") return;
    const span = this.open.get(event.task)?.span;
    if (span === undefined) return;
    if (event.type === "status") span.addEvent(event.status, event.ts);
    else if (event.type === "kill") span.addEvent("cancel request", killAttributes(event.message, event.by), event.ts);
    else if (!event.deleted) {
      const value = spanValue(event.value);
      if (value !== undefined) span.setAttribute(event.name, value);
    }
  };

  /** Ends the spans of tasks still running when tracing is switched off, so none stays open. */
  close(): void {
    for (const { span } of this.open.values()) span.end();
    this.open.clear();
  }
}

function killAttributes(message: string | undefined, by: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (message !== undefined) out["proclist.kill.message"] = message;
  if (by !== undefined) out["proclist.kill.by"] = by;
  return out;
}
