let counter = 0;

/**
 * The number behind the next generated id: a process-wide counter. Ids are its base-36 form, short
 * and URL-safe, cheaper than randomUUID (124 ns and ~480 bytes), and the live set finds a task by it.
 */
export function nextTaskSeq(): number {
  return ++counter;
}

/** The id a sequence number stands for. */
export function taskIdOf(seq: number): string {
  return seq.toString(36);
}

/** The longest task id: the HTTP API takes ids up to this many characters in a path. */
export const MAX_ID_LENGTH = 256;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What makes `id` unusable as a task id, or undefined when it is fine. The one id rule, checked
 * where ids are made, so that every id a task can have is reachable over HTTP: 1 to 256
 * characters, not `.` or `..` (URL parsers drop such path segments, even percent-encoded), and
 * no lone surrogate (which has no percent-encoding).
 */
export function idProblem(id: unknown): string | undefined {
  if (typeof id !== "string") return `must be a string, got ${typeof id}`;
  if (id.length === 0) return "must not be empty";
  if (id.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters, got ${id.length}`;
  if (id === "." || id === "..") return `cannot be "." or "..": URLs drop such path segments`;
  if (LONE_SURROGATE.test(id)) return "must be well-formed Unicode (no lone surrogate)";
  return undefined;
}

/** The id `id` becomes when it is taken: `id~2`, `id~3`…, cut so that it still follows the id rule. */
export function derivedId(id: string, n: number): string {
  const suffix = `~${n}`;
  let base = id.length + suffix.length > MAX_ID_LENGTH ? id.slice(0, MAX_ID_LENGTH - suffix.length) : id;
  if (/[\uD800-\uDBFF]$/.test(base)) base = base.slice(0, -1);
  return base + suffix;
}
