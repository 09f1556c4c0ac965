import type { Task } from "../core/task";
import { attrsJson } from "./attr-json";
import { formatTime } from "./time";

/** A task's JSON text and its size in UTF-8 bytes, valid while the task's `rev` is `rev`. */
export interface ProcEntry {
  rev: number;
  json: string;
  bytes: number;
}
type Cached = ProcEntry;

// Keyed by task: an entry dies with its task, and a task's JSON is rebuilt only when its rev moves.
const liveCache = new WeakMap<Task, Cached>();
const finishedCache = new WeakMap<Task, Cached>();

/**
 * The JSON text of a task as a `WireProc` (the original's fields first, then proclist's),
 * cached until the task's `rev` changes: building time strings costs more than joining text.
 */
export function procJson(task: Task): string {
  return procEntry(task).json;
}

/** The cached entry behind `procJson`, with the byte size the list needs to copy it into place. */
export function procEntry(task: Task): ProcEntry {
  const cached = liveCache.get(task);
  if (cached !== undefined && cached.rev === task.rev) return cached;
  const json = procFields(task) + "}";
  const bytes = Buffer.byteLength(json);
  if (cached === undefined) {
    const entry = { rev: task.rev, json, bytes };
    liveCache.set(task, entry);
    return entry;
  }
  cached.rev = task.rev;
  cached.json = json;
  cached.bytes = bytes;
  return cached;
}

/** The JSON text of a finished task as a `WireFinishedProc`; a finished task no longer changes. */
export function finishedJson(task: Task): string {
  const cached = finishedCache.get(task);
  if (cached !== undefined && cached.rev === task.rev) return cached.json;
  const json = procFields(task) + finishedFields(task) + "}";
  finishedCache.set(task, { rev: task.rev, json, bytes: 0 });
  return json;
}

/** A live task as a proc, a finished one with its outcome. */
export function anyProcJson(task: Task): string {
  return task.running ? procJson(task) : finishedJson(task);
}

/**
 * A task as the fleet names it (not cached: the fleet's publisher keeps its own by `rev`): its id
 * and parent's as `<instance>/<id>`, plus `"instance"`. Live tasks as procs, finished ones with outcome.
 */
export function fleetProcJson(task: Task, instance: string): string {
  let json = procFields(task, instance + "/") + ',"instance":' + JSON.stringify(instance);
  if (!task.running) json += finishedFields(task);
  return json + "}";
}

/** Milliseconds rounded to microseconds, the precision of the wire's times. */
export function durationMs(task: Task): number {
  return Math.max(0, Math.round((task.endTime - task.startTime) * 1000) / 1000);
}

function finishedFields(task: Task): string {
  let json = `,"outcome":"${task.outcome}","endTime":"${formatTime(task.endTime)}","durationMs":${durationMs(task)}`;
  if (task.killedBy !== undefined) json += ',"killedBy":' + JSON.stringify(task.killedBy);
  if (task.error !== undefined) json += ',"error":' + JSON.stringify(task.error);
  return json;
}

/** The fields every task has; `scope` prefixes the ids (the fleet's `<instance>/`). */
function procFields(task: Task, scope = ""): string {
  const history = task.history;
  let json =
    '{"id":' +
    JSON.stringify(scope + task.id) +
    ',"attrs":' +
    attrsJson(task.attrs, task.owner.maxAttrLength) +
    ',"procTime":"' +
    formatTime(history.firstTime) +
    '","statusTime":"' +
    formatTime(history.lastTime) +
    '","status":' +
    JSON.stringify(history.lastStatus) +
    ',"cancelling":' +
    task.cancelling +
    ',"name":' +
    JSON.stringify(task.name);
  if (task.parent !== undefined) json += ',"parent":' + JSON.stringify(scope + task.parent.id);
  if (task.forbidCancel) json += ',"forbidCancel":true';
  const fields = task.fields;
  if (fields !== undefined) {
    if (fields.traceId !== undefined) json += ',"traceId":' + JSON.stringify(fields.traceId);
    if (fields.spanId !== undefined) json += ',"spanId":' + JSON.stringify(fields.spanId);
  }
  return json;
}
