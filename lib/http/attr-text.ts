import type { Task } from "../core/task";
import { attrValueJson, readAttr } from "./attr-json";

/** A task's non-string attributes as text, valid while the task's `rev` is `rev`. */
interface Texts {
  rev: number;
  texts: Map<string, string>;
}

const cache = new WeakMap<Task, Texts>();

/**
 * An attribute as the list filters compare it (`?attr.<key>=<text>`): a string as it is, any other
 * value as the list shows it (its JSON, or the bounded string that stands for it), undefined when
 * the task has no such attribute. Non-string values are serialized once per task change, so a
 * flood of filters over large object values costs a lookup per task, not a `JSON.stringify`.
 */
export function attrText(task: Task, key: string): string | undefined {
  if (!Object.hasOwn(task.attrs, key)) return undefined;
  const value = readAttr(task.attrs, key);
  if (typeof value === "string") return value;
  let entry = cache.get(task);
  if (entry === undefined || entry.rev !== task.rev) {
    entry = { rev: task.rev, texts: new Map() };
    cache.set(task, entry);
  }
  let text = entry.texts.get(key);
  if (text === undefined) {
    const json = attrValueJson(value, task.owner.maxAttrLength);
    text = json.charCodeAt(0) === 0x22 ? (JSON.parse(json) as string) : json;
    entry.texts.set(key, text);
  }
  return text;
}
