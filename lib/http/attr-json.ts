/**
 * The JSON text of a task's attributes. Attribute values are whatever the service passed (a
 * BigInt, a circular request object, a class with a throwing `toJSON`), so each value is turned
 * into JSON on its own and anything that cannot be shown faithfully becomes a bounded string:
 * no attribute can make an answer fail or grow without bound.
 */
export function attrsJson(attrs: Record<string, unknown>, maxLength: number): string {
  let out = "{";
  for (const key of Object.keys(attrs)) {
    if (out.length > 1) out += ",";
    out += JSON.stringify(key) + ":" + attrValueJson(attrs[key], maxLength);
  }
  return out + "}";
}

/** The JSON text of one attribute value, by the rules above. */
export function attrValueJson(value: unknown, maxLength: number): string {
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
      return JSON.stringify(`[function ${value.name || "anonymous"}]`);
    case "symbol":
      return JSON.stringify(value.toString());
  }
  if (value === null) return "null";
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) return JSON.stringify(describe(value as object));
  // Cut objects past the bound as text: the JSON of a cut object would not parse.
  return json.length <= maxLength ? json : JSON.stringify(json.slice(0, maxLength) + "…");
}

function describe(value: object): string {
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  return typeof name === "string" && name !== "" ? `[object ${name}]` : "[object]";
}
