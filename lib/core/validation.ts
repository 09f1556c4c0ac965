import Ajv, { type ErrorObject, type JSONSchemaType, type Schema } from "ajv";

/** The one ajv instance; every schema is compiled once, at module load. */
export const ajv = new Ajv({ allErrors: false, strict: true, useDefaults: false });

// JSON Schema has no type for functions; options such as `@Tracked({ id })` take them.
const isFunction = Object.assign((_schema: boolean, data: unknown) => {
  isFunction.errors = typeof data === "function" ? [] : [{ keyword: "isFunction", message: "must be a function", params: {} }];
  return typeof data === "function";
}, { errors: [] as Partial<ErrorObject>[] });
ajv.addKeyword({ keyword: "isFunction", schemaType: "boolean", validate: isFunction });

/** Describes ajv's first error in a sentence naming the field and the bad value. */
export function describeError(error: ErrorObject | undefined, value: unknown, what: string): string {
  if (error === undefined) return `invalid ${what}`;
  if (error.keyword === "additionalProperties") {
    const name = (error.params as { additionalProperty: string }).additionalProperty;
    return `unknown ${what} ${JSON.stringify(name)}`;
  }
  const path = error.instancePath.slice(1).replace(/\//g, ".");
  const bad = path === "" ? value : pick(value, error.instancePath);
  return `invalid ${what} ${path === "" ? "" : JSON.stringify(path) + " "}${show(bad)}: ${error.message ?? "rejected"}`;
}

export type Checker<T> = (value: unknown) => asserts value is T;

/** Compiles a schema into an assertion that throws a TypeError naming the option and the value. */
export function optionChecker<T>(schema: JSONSchemaType<T> | Schema, what: string): Checker<T> {
  const validate = ajv.compile<T>(schema as Schema);
  return (value: unknown): asserts value is T => {
    if (!validate(value)) throw new TypeError(describeError(validate.errors?.[0], value, what));
  };
}

function pick(value: unknown, pointer: string): unknown {
  let at: unknown = value;
  for (const key of pointer.split("/").slice(1)) {
    at = at !== null && typeof at === "object" ? (at as Record<string, unknown>)[key.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
  }
  return at;
}

function show(value: unknown): string {
  if (typeof value === "function") return "a function";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? value.slice(0, 60) + "…" : value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
