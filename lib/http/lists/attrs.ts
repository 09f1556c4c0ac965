import type { Task } from "../../core/task";
import { attrValueJson, readAttr } from "./attr-json";

/** A task's non-string attribute values as JSON, valid while the task's `rev` is `rev`. */
interface Kept {
  rev: number;
  json: Map<string, string>;
}

const cache = new WeakMap<Task, Kept>();

/**
 * The JSON text of a task's attributes, for its list entry. A non-string value is serialized once
 * per task change and that text serves the list, the task's own answer and the filters alike: an
 * object attribute costs one `JSON.stringify` per change, not one per request that reads it.
 */
export function attrsJson(task: Task): string {
  let out = "{";
  for (const key of Object.keys(task.attrs)) {
    if (out.length > 1) out += ",";
    out += JSON.stringify(key) + ":" + valueJson(task, key, readAttr(task.attrs, key));
  }
  return out + "}";
}

/**
 * The JSON text of a task's attributes with every value as a string, as the original's clients
 * read them: a string as it is, any other value as the text `attrText` gives (`3` as `"3"`, an
 * object as its JSON).
 */
export function stringAttrsJson(task: Task): string {
  let out = "{";
  for (const key of Object.keys(task.attrs)) {
    if (out.length > 1) out += ",";
    out += JSON.stringify(key) + ":" + JSON.stringify(attrText(task, key) ?? "");
  }
  return out + "}";
}

/**
 * An attribute as the list filters compare it (`?attr.<key>=<text>`): a string as it is, any other
 * value as the list shows it (its JSON, or the bounded string that stands for it), undefined when
 * the task has no such attribute.
 */
export function attrText(task: Task, key: string): string | undefined {
  if (!Object.hasOwn(task.attrs, key)) return undefined;
  const value = readAttr(task.attrs, key);
  if (typeof value === "string") return value;
  const json = valueJson(task, key, value);
  return json.charCodeAt(0) === 0x22 ? (JSON.parse(json) as string) : json;
}

function valueJson(task: Task, key: string, value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  let kept = cache.get(task);
  if (kept === undefined || kept.rev !== task.rev) {
    kept = { rev: task.rev, json: new Map() };
    cache.set(task, kept);
  }
  let json = kept.json.get(key);
  if (json === undefined) {
    json = attrValueJson(value, task.owner.maxAttrLength);
    kept.json.set(key, json);
  }
  return json;
}
