import type { TaskEvent } from "../../core/task";
import { attrValueJson } from "../lists/attr-json";
import { durationMs, eventWaitsJson, fleetProcJson, procJson } from "../lists/entries";
import { formatTime } from "../responses/time";

/**
 * One Server-Sent Events message for a task event: `event:` is the type, `data:` the `WireEvent`
 * as JSON on one line (JSON never contains a raw newline, so no `data:` splitting is needed).
 */
export function eventText(event: TaskEvent): string {
  return `event: ${event.type}\ndata: ${eventData(event)}\n\n`;
}

/** The `WireEvent` as JSON; with `instance`, in the fleet's form (ids `<instance>/<id>`, procs with `instance`). */
export function eventData(event: TaskEvent, instance?: string, boot?: string): string {
  const task = event.task;
  const id = JSON.stringify(instance === undefined ? task.id : `${instance}/${task.id}`);
  const head = `{"type":"${event.type}","ts":"${formatTime(event.ts)}"`;
  let data: string;
  switch (event.type) {
    case "start":
      data = `${head},"proc":${instance === undefined ? procJson(task) : fleetProcJson(task, instance, boot)}}`;
      break;
    case "status":
      data = `${head},"id":${id},"status":${JSON.stringify(event.status)}`;
      // A forced kill found it still running: monitors following events learn it as the list says it.
      if (task.ignoringCancelSince !== undefined) data += `,"ignoringCancelSince":"${formatTime(task.ignoringCancelSince)}"`;
      data += "}";
      break;
    case "attr": {
      let value = "";
      if (!event.deleted) value = `,"value":${attrValueJson(event.value, task.owner.maxAttrLength)}`;
      data = `${head},"id":${id},"key":${JSON.stringify(event.name)}${value},"deleted":${event.deleted}}`;
      break;
    }
    case "kill":
      data = `${head},"id":${id}`;
      if (event.message !== undefined) data += `,"message":${JSON.stringify(event.message)}`;
      if (event.by !== undefined) data += `,"by":${JSON.stringify(event.by)}`;
      data += "}";
      break;
    case "done":
      data = `${head},"id":${id},"outcome":"${event.outcome}","status":${JSON.stringify(task.history.lastStatus)},"durationMs":${durationMs(task)}`;
      if (task.error !== undefined) data += `,"error":${JSON.stringify(task.error)}`;
      data += "}";
      break;
    case "wait":
      data = `${head},"id":${id},"waits":${eventWaitsJson(task)}}`;
      break;
  }
  return data;
}
