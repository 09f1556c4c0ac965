/** Nesting levels an object-valued attribute may have; deeper values are kept as cut JSON text. */
export const MAX_ATTR_DEPTH = 8;

/**
 * `text` cut to `max` characters plus "…", as a string of its own. V8's `slice` returns a view
 * that keeps the whole original alive (a 10 MB status "cut" to 1 KiB still holds 10 MB), so the
 * cut is copied through a buffer, which yields a flat string sharing nothing. A pair of
 * surrogates is never split. Only cutting pays the copy; texts within the bound are kept as they are.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return detach(text.slice(0, end) + "…");
}

/** A copy of `text` that shares no memory with it (nor with a string it was sliced from). */
export function detach(text: string): string {
  return Buffer.from(text, "utf16le").toString("utf16le");
}

/**
 * An attribute value as a task keeps it, bounded when it is set:
 * - a string longer than `max` characters is cut (a copy, see `cutText`);
 * - an object or array is copied as plain JSON data when its JSON form has at most `max`
 *   characters and `MAX_ATTR_DEPTH` levels; otherwise it becomes its JSON text cut to `max`
 *   characters (a string ending in "…"). One whose serialization throws (a revoked Proxy, a
 *   throwing getter or `toJSON`) becomes "[object Class]", or "[object]" when even its class
 *   cannot be read: the texts the HTTP layer shows for such values.
 * The task never holds on to the caller's object: memory is bounded by `max`, whatever was passed.
 * Numbers, booleans, null, undefined, bigints and symbols are kept; a function becomes "[function name]" ("[function]").
 */
export function boundAttr(value: unknown, max: number): unknown {
  if (typeof value === "string") return value.length > max ? cutText(value, max) : value;
  if (typeof value === "function") return cutText(functionName(value), max);
  if (value === null || typeof value !== "object") return value;
  const writer = new BoundedJson(max);
  try {
    writer.value(value, 0);
  } catch (error) {
    if (error !== OVER) return cutText(className(value), max);
    // Past the depth bound the text can be short: it still ends in "…", the mark of a cut value.
    return writer.text.length > max ? cutText(writer.text, max) : detach(writer.text + "…");
  }
  return JSON.parse(writer.text);
}

/** Thrown by the writer once the text passes its bound: the walk stops there. */
const OVER = Symbol("over");

/** JSON.stringify that stops as soon as the text passes `max` characters or `MAX_ATTR_DEPTH` levels. */
class BoundedJson {
  text = "";

  constructor(private readonly max: number) {}

  value(value: unknown, depth: number): void {
    if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
      value = (value as { toJSON(): unknown }).toJSON();
    }
    switch (typeof value) {
      case "string":
        return this.write(JSON.stringify(value.length > this.max ? value.slice(0, this.max + 1) : value));
      case "number":
        return this.write(Number.isFinite(value) ? String(value) : "null");
      case "boolean":
        return this.write(String(value));
      case "bigint":
        return this.write(JSON.stringify(value.toString()));
      case "object":
        if (value === null) return this.write("null");
        if (depth >= MAX_ATTR_DEPTH) {
          this.write(Array.isArray(value) ? "[" : "{");
          throw OVER;
        }
        return Array.isArray(value) ? this.array(value, depth + 1) : this.object(value, depth + 1);
      default:
        return this.write("null");
    }
  }

  private array(items: unknown[], depth: number): void {
    this.write("[");
    for (let i = 0; i < items.length; i++) {
      if (i > 0) this.write(",");
      this.value(items[i], depth);
    }
    this.write("]");
  }

  private object(record: object, depth: number): void {
    this.write("{");
    let first = true;
    for (const key of Object.keys(record)) {
      const item = (record as Record<string, unknown>)[key];
      if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
      this.write(first ? JSON.stringify(key) + ":" : "," + JSON.stringify(key) + ":");
      first = false;
      this.value(item, depth);
    }
    this.write("}");
  }

  private write(part: string): void {
    this.text += part;
    if (this.text.length > this.max) throw OVER;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Type names are cut here: a class may name itself with a megabyte. */
const MAX_NAME = 100;

function functionName(fn: Function): string {
  try {
    const name: unknown = fn.name;
    return typeof name === "string" && name !== "" ? `[function ${cutText(name, MAX_NAME)}]` : "[function anonymous]";
  } catch {
    return "[function]";
  }
}

function className(value: object): string {
  try {
    const name: unknown = Object.getPrototypeOf(value)?.constructor?.name;
    return typeof name === "string" && name !== "" ? `[object ${cutText(name, MAX_NAME)}]` : "[object]";
  } catch {
    return "[object]";
  }
}

/** An error's message for a fault report, whatever was thrown (even a value whose own getters throw). */
export function messageOf(error: unknown): string {
  try {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return cutText(text, 300);
  } catch {
    return "(an error that cannot be shown)";
  }
}
