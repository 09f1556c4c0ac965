import { cutText, messageOf } from "./bound";

/**
 * A copy of an attributes record, as a task takes it over. A getter that throws leaves its
 * attribute out instead of failing the call; `faults` describes each one, for the caller to
 * report once the task exists.
 */
export function copyAttrs(attrs: Record<string, unknown> | undefined): { attrs: Record<string, unknown> | undefined; faults: string[] } {
  if (attrs === undefined) return { attrs, faults: NONE };
  try {
    return { attrs: { ...attrs }, faults: NONE };
  } catch {
    return copyEach(attrs);
  }
}

/** Adds the attributes of `from` to `into` the same way; returns the faults. */
export function assignAttrs(into: Record<string, unknown>, from: unknown): string[] {
  if (from === null || typeof from !== "object")
    return from === undefined ? NONE : [`returned ${typeof from}, not an object of attributes; nothing is added`];
  const { attrs, faults } = copyEach(from as Record<string, unknown>);
  Object.assign(into, attrs);
  return faults;
}

const NONE: string[] = [];

function copyEach(record: Record<string, unknown>): { attrs: Record<string, unknown>; faults: string[] } {
  const copy: Record<string, unknown> = {};
  const faults: string[] = [];
  let keys: string[];
  try {
    keys = Object.keys(record);
  } catch (error) {
    return { attrs: copy, faults: [`its keys cannot be read (${messageOf(error)}); no attribute is added`] };
  }
  for (const key of keys) {
    try {
      // Defined, not assigned: a key "__proto__" stays an attribute.
      Object.defineProperty(copy, key, { value: record[key], enumerable: true, writable: true, configurable: true });
    } catch (error) {
      faults.push(`the getter of attribute ${JSON.stringify(cutText(key, 100))} threw ${messageOf(error)}; the attribute is left out`);
    }
  }
  return { attrs: copy, faults };
}
