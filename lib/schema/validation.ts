import type { ErrorObject, JSONSchemaType, Schema, ValidateFunction } from "ajv";
import { createAjv } from "./ajv-instance";

/**
 * Every schema proclist validates with, by its JSON text. The build compiles them all into
 * standalone code (build/validators.ts writes `validators.generated.js` beside this file), so a
 * process loads ready-made validators and compiles none: ajv's compiler costs ~450 ms at start-up.
 * A schema the build did not see (a source run without `npm run build`) is compiled on first use.
 */
const schemas = new Map<string, Schema>();

interface Generated {
  readonly byJson: Readonly<Record<string, string>>;
  readonly [name: string]: unknown;
}

let generated: Generated | null | undefined;
let runtimeAjv: ReturnType<typeof createAjv> | undefined;

/**
 * Returns a validator for `schema`, used like ajv's (read `.errors` right after a call). Nothing is
 * compiled or loaded until its first call, so a module may declare validators it rarely uses.
 */
export function compile<T = unknown>(schema: Schema | JSONSchemaType<T>): ValidateFunction<T> {
  const json = JSON.stringify(schema);
  schemas.set(json, schema as Schema);
  let real: ValidateFunction | undefined;
  const validate = function (data: unknown): boolean {
    real ??= load(json, schema as Schema);
    const valid = real(data);
    validate.errors = real.errors;
    return valid;
  } as ValidateFunction<T>;
  validate.errors = null;
  validate.schema = schema as Schema;
  return validate;
}

/** ajv's `compile` surface, for modules written against an ajv instance. */
export const ajv = { compile };

/** The schemas registered so far, by JSON text: what the build step compiles. */
export function registeredSchemas(): ReadonlyMap<string, Schema> {
  return schemas;
}

function load(json: string, schema: Schema): ValidateFunction {
  generated ??= loadGenerated();
  const name = generated?.byJson[json];
  if (name !== undefined) return generated![name] as ValidateFunction;
  return (runtimeAjv ??= createAjv()).compile(schema);
}

function loadGenerated(): Generated | null {
  try {
    return require("./validators.generated.js") as Generated;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && String((error as Error).message).includes("validators.generated"))
      return null;
    throw error;
  }
}

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
  const validate = compile<T>(schema as Schema);
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
