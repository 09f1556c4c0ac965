import type { ProcessManager } from "../../core/manager";
import type { Task } from "../../core/task";
import type { PastWait } from "../../core/waits";
import { TaskNotFoundError } from "../../core/errors";
import { handle, type Handler } from "../responses/handler";
import { checkQuery, decodeId } from "../inputs/checks";
import { sendJsonText, serverTime } from "../responses/respond";
import { formatTime } from "../responses/time";

/**
 * `GET /procs/:id/history`: the timeline of a live or kept finished task, so a task seen in the
 * list a moment ago still answers once it has ended. `dropped` counts entries the bound overwrote.
 */
export function historyRoute(manager: ProcessManager, traceUrl: string | undefined): Handler {
  return handle((req, res) => {
    const id = decodeId(req.params.id);
    checkQuery("noQuery", req.query);
    const task = manager.get(id);
    if (task === undefined) throw new TaskNotFoundError(id);
    sendJsonText(res, 200, historyJson(task, traceUrl));
  });
}

/** The `WireHistory` of a task as JSON text, with its trace link when a `traceUrl` template is given. */
export function historyJson(task: Task, traceUrl?: string): string {
  let json = '{"history":[';
  let first = true;
  task.history.forEach((ts, status) => {
    json += (first ? '{"ts":"' : ',{"ts":"') + formatTime(ts) + '","status":' + JSON.stringify(status) + "}";
    first = false;
  });
  json += '],"serverTime":"' + serverTime() + '"';
  if (task.history.dropped > 0) json += ',"dropped":' + task.history.dropped;
  const waits = task.waitLog;
  if (waits !== undefined) json += ',"waits":' + pastWaitsJson(waits.waits) + (waits.dropped > 0 ? ',"droppedWaits":' + waits.dropped : "");
  const link = traceUrl === undefined ? undefined : traceLink(traceUrl, task.fields);
  if (link !== undefined) json += ',"traceUrl":' + JSON.stringify(link);
  return json + "}";
}

/** The task's finished waits that lasted `waitHistoryMs` or more, oldest first, as `WirePastWait`s. */
function pastWaitsJson(waits: readonly PastWait[]): string {
  let json = "[";
  for (let i = 0; i < waits.length; i++) {
    const wait = waits[i];
    json +=
      (i === 0 ? '{"since":"' : ',{"since":"') +
      formatTime(wait.since) +
      '","kind":' +
      JSON.stringify(wait.kind) +
      ',"target":' +
      JSON.stringify(wait.target) +
      ',"durationMs":' +
      Math.round(wait.durationMs * 1000) / 1000 +
      ',"outcome":"' +
      wait.outcome +
      '"}';
  }
  return json + "]";
}

/** The template with the task's ids filled in (URL-encoded), or undefined for a task without a trace. */
function traceLink(template: string, fields: Readonly<Record<string, string>> | undefined): string | undefined {
  const traceId = fields?.traceId;
  if (traceId === undefined) return undefined;
  return template.replaceAll("{traceId}", encodeURIComponent(traceId)).replaceAll("{spanId}", encodeURIComponent(fields?.spanId ?? ""));
}
