import type { AttributeValue, Attributes } from "@opentelemetry/api";

/**
 * A task's attributes as span attributes: strings, numbers, booleans and arrays of one of them
 * pass as they are; anything else as its JSON text (OpenTelemetry drops other values).
 */
export function spanAttributes(attrs: Record<string, unknown>): Attributes {
  const out: Attributes = {};
  for (const key in attrs) {
    const value = spanValue(attrs[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export function spanValue(value: unknown): AttributeValue | undefined {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return value;
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
    case "bigint":
      return String(value);
  }
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  if (Array.isArray(value) && value.every((v) => typeof v === "number")) return value as number[];
  try {
    return JSON.stringify(value) ?? undefined;
  } catch {
    return String(value);
  }
}
