/** The text of any attribute value that cannot be shown at all (a revoked Proxy, a throwing trap…). */
const UNSHOWABLE = '"[object]"';
/** A type name in a fallback text is cut here: a class may name itself with a megabyte. */
const MAX_NAME = 100;

/**
 * The JSON text of one attribute value, the one place where values are serialized; never throws.
 * Attribute values are whatever the service passed, so values JSON cannot hold become a bounded
 * string: BigInt and NaN as their text, a function as `[function name]`, an object JSON refuses
 * (circular, throwing `toJSON`, Proxy) as `[object Name]`, and anything whose very description
 * throws as `[object]`. JSON longer than `maxLength` is cut and shown as a string.
 */
export function attrValueJson(value: unknown, maxLength: number): string {
  try {
    return valueJson(value, maxLength);
  } catch {
    return UNSHOWABLE;
  }
}

/** An attribute read from the record; a getter that throws reads as a value that cannot be shown. */
export function readAttr(attrs: Record<string, unknown>, key: string): unknown {
  try {
    return attrs[key];
  } catch {
    return UNREADABLE;
  }
}

/** Stands for an attribute whose getter threw. */
const UNREADABLE: object = Object.freeze(Object.create(null) as object);

function valueJson(value: unknown, maxLength: number): string {
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      // NaN and Infinity are not JSON; show them rather than turn them into null.
      return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
    case "bigint":
      return JSON.stringify(value.toString());
    case "undefined":
      return "null";
    case "function":
      return JSON.stringify(describe("function", nameOf(value)));
    case "symbol":
      return JSON.stringify(value.toString());
  }
  if (value === null) return "null";
  if (value === UNREADABLE) return UNSHOWABLE;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) return JSON.stringify(describe("object", nameOf(Object.getPrototypeOf(value)?.constructor)));
  // Cut objects past the bound as text: the JSON of a cut object would not parse.
  return json.length <= maxLength ? json : JSON.stringify(json.slice(0, maxLength) + "…");
}

function nameOf(fn: unknown): unknown {
  try {
    return (fn as { name?: unknown } | undefined)?.name;
  } catch {
    return undefined;
  }
}

function describe(kind: string, name: unknown): string {
  if (typeof name !== "string" || name === "") return `[${kind}]`;
  return `[${kind} ${name.length > MAX_NAME ? name.slice(0, MAX_NAME) + "…" : name}]`;
}
