import type { ErrorObject, ValidateFunction } from "ajv";
import { InvalidResponseError } from "./errors";
import { parseTime } from "./time";

/** Which request an answer belongs to, so that every complaint names it. */
export interface Origin {
  method: string;
  url: string;
}

/**
 * Parses a body and checks it against a wire schema; throws InvalidResponseError naming the URL
 * and the first bad field. The answer is returned typed only once it passed.
 */
export function decode<T>(origin: Origin, text: string, validate: ValidateFunction): T {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new InvalidResponseError(origin.method, origin.url, "", `not JSON: ${excerpt(text)}`);
  }
  return check<T>(origin, normalizeAttrs(body), validate);
}

/** Checks an already parsed value (one events-stream message, say). */
export function check<T>(origin: Origin, body: unknown, validate: ValidateFunction): T {
  if (!validate(body)) {
    const { field, problem } = explain(validate.errors?.[0], body);
    throw new InvalidResponseError(origin.method, origin.url, field, problem);
  }
  return body as T;
}

/** Reads a wire time already checked against the pattern; a date that does not exist (month 13) still fails here. */
export function time(origin: Origin, text: string, field: string): number {
  const ms = parseTime(text);
  if (!Number.isFinite(ms)) throw new InvalidResponseError(origin.method, origin.url, field, `${JSON.stringify(text)} is not a valid time`);
  return ms;
}

/**
 * Later versions of the Go original send `attrs` as `[{ "name": …, "value": … }]` instead of an
 * object; both mean the same, so the array form is turned into the object the schemas describe.
 */
function normalizeAttrs(body: unknown): unknown {
  const fix = (proc: unknown) => {
    if (proc === null || typeof proc !== "object") return;
    const attrs = (proc as { attrs?: unknown }).attrs;
    if (!Array.isArray(attrs) || !attrs.every((a) => a !== null && typeof a === "object" && typeof a.name === "string")) return;
    (proc as { attrs: Record<string, unknown> }).attrs = Object.fromEntries(
      attrs.map((a: { name: string; value: unknown }) => [a.name, a.value]),
    );
  };
  if (body !== null && typeof body === "object") {
    const { procs, finished, proc } = body as { procs?: unknown; finished?: unknown; proc?: unknown };
    if (Array.isArray(procs)) procs.forEach(fix);
    if (Array.isArray(finished)) finished.forEach(fix);
    fix(proc);
  }
  return body;
}

function explain(error: ErrorObject | undefined, body: unknown): { field: string; problem: string } {
  if (error === undefined) return { field: "", problem: "rejected by the schema" };
  const path = error.instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (error.keyword === "required") {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return { field: [...path, missing].join("."), problem: "is missing" };
  }
  let value: unknown = body;
  for (const key of path) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  return { field: path.join("."), problem: `${error.message ?? "is invalid"}, got ${show(value)}` };
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? text.slice(0, 60) + "…" : text;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat === "") return "an empty body";
  return flat.length > 60 ? JSON.stringify(flat.slice(0, 60) + "…") : JSON.stringify(flat);
}
