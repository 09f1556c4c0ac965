import type { OpenWait } from "../../core/task";
import type { Task } from "../../core/task";
import { attrsJson, stringAttrsJson } from "./attrs";
import { formatTime } from "../responses/time";

/**
 * A task's JSON preceded by a comma (`,{"id":…}`), so that lists are made by joining entries one
 * after the other; valid while the task's `rev` is `rev`. Kept as text, not bytes: a list is
 * encoded a block (or a slice) at a time, one allocation for many entries, where a buffer per
 * entry cost more to allocate and collect than the whole encoding of the task.
 */
export interface ProcEntry {
  rev: number;
  json: string;
  /** The UTF-8 length of `json`. */
  bytes: number;
}

/**
 * What a status change leaves as it was: the text before `statusTime` (id, attributes, `procTime`)
 * and after `cancelling` (name, parent…), valid while the task's changes since `rev` were only
 * history entries (`appended` counts them) and its extension fields are the same: then only the
 * middle is made again.
 */
interface Frame {
  rev: number;
  appended: number;
  fields: Task["fields"];
  head: string;
  tail: string;
  /** The UTF-8 length of `head` and `tail` together. */
  bytes: number;
}

interface Kept extends ProcEntry {
  frame: Frame;
}

// Keyed by task: an entry dies with its task, and a task's JSON is rebuilt only when its rev moves.
const liveCache = new WeakMap<Task, Kept>();
const finishedCache = new WeakMap<Task, ProcEntry>();
// The same with attribute values as strings, made only for the original's clients.
const stringLiveCache = new WeakMap<Task, ProcEntry>();
const stringFinishedCache = new WeakMap<Task, ProcEntry>();

/**
 * The JSON text of a task as a `WireProc` (the original's fields first, then proclist's),
 * cached until the task's `rev` changes: building time strings costs more than joining text.
 */
export function procJson(task: Task): string {
  return procEntry(task).json.slice(1);
}

/**
 * The cached entry behind `procJson`, made once per change. A status change (the common one under
 * churn) makes only `statusTime`, `status` and `cancelling` again; the attributes' text is reused.
 */
export function procEntry(task: Task): ProcEntry {
  const kept = liveCache.get(task);
  if (kept !== undefined && kept.rev === task.rev) return kept;
  const appended = task.history.length + task.history.dropped;
  let frame = kept?.frame;
  if (frame === undefined || task.rev - frame.rev !== appended - frame.appended || frame.fields !== task.fields)
    frame = frameOf(task, appended);
  const middle = middleOf(task);
  const json = frame.head + middle + frame.tail;
  const bytes = frame.bytes + utf8Length(middle);
  if (kept === undefined) {
    const entry = { rev: task.rev, json, bytes, frame };
    liveCache.set(task, entry);
    return entry;
  }
  kept.rev = task.rev;
  kept.json = json;
  kept.bytes = bytes;
  kept.frame = frame;
  return kept;
}

/** The JSON text of a finished task as a `WireFinishedProc`; a finished task no longer changes. */
export function finishedJson(task: Task): string {
  return finishedEntry(task).json.slice(1);
}

/** The cached entry behind `finishedJson`. */
export function finishedEntry(task: Task): ProcEntry {
  return keptEntry(finishedCache, task, () => procFields(task) + finishedFields(task) + "}");
}

/**
 * `procEntry` with every attribute value as a string (`stringAttrsJson`), for the original's
 * clients; cached apart, per change of the task, and only ever made for them.
 */
export function procEntryWithStringAttrs(task: Task): ProcEntry {
  return keptEntry(stringLiveCache, task, () => headFields(task, "", stringAttrsJson(task)) + middleOf(task) + tailFields(task) + "}");
}

/** `finishedEntry` with every attribute value as a string. */
export function finishedEntryWithStringAttrs(task: Task): ProcEntry {
  return keptEntry(
    stringFinishedCache,
    task,
    () => headFields(task, "", stringAttrsJson(task)) + middleOf(task) + tailFields(task) + finishedFields(task) + "}",
  );
}

/** A task running or not, as `anyProcJson` gives it, with every attribute value as a string. */
export function anyProcJsonWithStringAttrs(task: Task): string {
  return (task.running ? procEntryWithStringAttrs(task) : finishedEntryWithStringAttrs(task)).json.slice(1);
}

/** The entry kept in `cache` for the task at its current rev, made by `make` (the JSON without its comma) when there is none. */
function keptEntry(cache: WeakMap<Task, ProcEntry>, task: Task, make: () => string): ProcEntry {
  const cached = cache.get(task);
  if (cached !== undefined && cached.rev === task.rev) return cached;
  const json = "," + make();
  const entry = { rev: task.rev, json, bytes: utf8Length(json) };
  cache.set(task, entry);
  return entry;
}

function frameOf(task: Task, appended: number): Frame {
  const head = "," + headFields(task);
  const tail = tailFields(task) + "}";
  return { rev: task.rev, appended, fields: task.fields, head, tail, bytes: utf8Length(head) + utf8Length(tail) };
}

/**
 * The UTF-8 length of a string, counted in JavaScript: `Buffer.byteLength` of text joined from
 * parts flattens it first, which cost more than making the entry.
 */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: 4 bytes for 2 code units
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/** A live task as a proc, a finished one with its outcome. */
export function anyProcJson(task: Task): string {
  return task.running ? procJson(task) : finishedJson(task);
}

/**
 * A task as the fleet names it (not cached: the fleet's publisher keeps its own by `rev`): its id
 * and parent's as `<instance>/<id>`, plus `"instance"`. Live tasks as procs, finished ones with outcome.
 */
export function fleetProcJson(task: Task, instance: string, boot?: string): string {
  let json = procFields(task, instance + "/") + ',"instance":' + JSON.stringify(instance);
  if (boot !== undefined) json += ',"boot":"' + boot + '"';
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
  return headFields(task, scope) + middleOf(task) + tailFields(task, scope);
}

/** `{"id":…,"attrs":…,"procTime":"…"`: what a status change leaves as it was. */
function headFields(task: Task, scope = "", attrs = attrsJson(task)): string {
  return '{"id":' + JSON.stringify(scope + task.id) + ',"attrs":' + attrs + ',"procTime":"' + formatTime(task.history.firstTime) + '"';
}

/** `,"statusTime":"…","status":…,"cancelling":…`: what a status change (or a kill) changes. */
function middleOf(task: Task): string {
  const history = task.history;
  return (
    ',"statusTime":"' +
    formatTime(history.lastTime) +
    '","status":' +
    JSON.stringify(history.lastStatus) +
    ',"cancelling":' +
    task.cancelling
  );
}

/** `,"name":…` and the optional fields after it. */
function tailFields(task: Task, scope = ""): string {
  let json = ',"name":' + JSON.stringify(task.name);
  if (task.parent !== undefined) json += ',"parent":' + JSON.stringify(scope + task.parent.id);
  if (task.forbidCancel) json += ',"forbidCancel":true';
  if (task.ignoringCancelSince !== undefined) json += ',"ignoringCancelSince":"' + formatTime(task.ignoringCancelSince) + '"';
  const fields = task.fields;
  if (fields !== undefined) {
    if (fields.traceId !== undefined) json += ',"traceId":' + JSON.stringify(fields.traceId);
    if (fields.spanId !== undefined) json += ',"spanId":' + JSON.stringify(fields.spanId);
  }
  const waits = task.waits;
  if (waits !== undefined) json += ',"waits":' + waitsJson(waits);
  return json;
}

/** The `waits` of a `wait` event: the task's waits now, `[]` when none is left. */
export function eventWaitsJson(task: Task): string {
  return task.waits === undefined ? "[]" : waitsJson(task.waits);
}

/** `[{"kind":…,"target":…,"since":"…"},…]`, oldest first (the order they are kept in). */
function waitsJson(waits: readonly OpenWait[]): string {
  let json = "[";
  for (let i = 0; i < waits.length; i++) {
    const wait = waits[i];
    json +=
      (i === 0 ? '{"kind":' : ',{"kind":') +
      JSON.stringify(wait.kind) +
      ',"target":' +
      JSON.stringify(wait.target) +
      ',"since":"' +
      formatTime(wait.since) +
      '"}';
  }
  return json + "]";
}
