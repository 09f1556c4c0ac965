import type { Task } from "../core/task";
import { attrsJson } from "./task-attrs";
import { formatTime } from "./time";

/**
 * A task's JSON as UTF-8, preceded by a comma (`,{"id":…}`) so that lists are made by copying
 * entries one after the other; valid while the task's `rev` is `rev`. The bytes are never
 * rewritten (a change makes a new buffer), so a body being sent may keep them.
 */
export interface ProcEntry {
  rev: number;
  utf8: Buffer;
}

// Keyed by task: an entry dies with its task, and a task's JSON is rebuilt only when its rev moves.
const liveCache = new WeakMap<Task, ProcEntry>();
const finishedCache = new WeakMap<Task, ProcEntry>();

/**
 * The JSON text of a task as a `WireProc` (the original's fields first, then proclist's),
 * cached until the task's `rev` changes: building time strings costs more than joining text.
 */
export function procJson(task: Task): string {
  return procEntry(task).utf8.toString("utf8", 1);
}

/**
 * The cached entry behind `procJson`. Encoded once per change: under churn, a list rebuilt for
 * each request copies the bytes of unchanged tasks instead of encoding their text again.
 */
export function procEntry(task: Task): ProcEntry {
  return entryOf(liveCache, task, (t) => procFields(t) + "}");
}

/** The JSON text of a finished task as a `WireFinishedProc`; a finished task no longer changes. */
export function finishedJson(task: Task): string {
  return finishedEntry(task).utf8.toString("utf8", 1);
}

/** The cached entry behind `finishedJson`. */
export function finishedEntry(task: Task): ProcEntry {
  return entryOf(finishedCache, task, (t) => procFields(t) + finishedFields(t) + "}");
}

function entryOf(cache: WeakMap<Task, ProcEntry>, task: Task, json: (task: Task) => string): ProcEntry {
  const cached = cache.get(task);
  if (cached !== undefined && cached.rev === task.rev) return cached;
  const utf8 = encodeEntry(json(task));
  if (cached === undefined) {
    const entry = { rev: task.rev, utf8 };
    cache.set(task, entry);
    return entry;
  }
  cached.rev = task.rev;
  cached.utf8 = utf8;
  return cached;
}

/** `,` + the text as UTF-8, in a buffer of its own: a slice of Node's shared pool would keep 8 KiB alive per entry. */
function encodeEntry(json: string): Buffer {
  const out = Buffer.allocUnsafeSlow(Buffer.byteLength(json) + 1);
  out[0] = 0x2c; // ","
  out.write(json, 1, "utf8");
  return out;
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
    attrsJson(task) +
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
