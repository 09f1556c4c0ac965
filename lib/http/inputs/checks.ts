import type { ErrorObject } from "ajv";
import { compile, describeError } from "../../schema/validation";
import type { IncomingMessage } from "node:http";
import { readJsonBody } from "./body";
import { HttpError } from "../responses/http-error";
import { DEFAULT_GRACE_MS, MAX_GRACE_MS, SETTLE_MS } from "../../core/force";
import { answerAfter } from "../server/long-response";

/** The longest kill message accepted; it becomes a history entry. */
export const MAX_MESSAGE_LENGTH = 1024;

// querystring gives a string for a key seen once and an array for a repeated key.
const oneOrMany = {
  anyOf: [
    { type: "string", maxLength: 1024 },
    { type: "array", maxItems: 100, items: { type: "string", maxLength: 1024 } },
  ],
};
const one = (schema: object) => ({ type: "string", ...schema });
const sortKeys = ["procTime", "statusTime", "id", "name", "status"];
const sort = { enum: [...sortKeys, ...sortKeys.map((k) => "-" + k)] };
// `waiting`: the oldest wait first, tasks waiting on nothing last (live tasks only).
const liveSort = { enum: [...sort.enum, "waiting"] };
// A wait kind (`fetch`, `http`, `redis`…), or `*` for any.
const waiting = oneOrMany;
const limit = one({ pattern: "^[0-9]{1,9}$" });

/** Built once (at build time: see schema/validation): read `.errors` right after a call. */
const validators = {
  id: compile({ type: "string", minLength: 1, maxLength: 256 }),
  killBody: compile({
    type: "object",
    additionalProperties: false,
    properties: {
      message: { type: "string", maxLength: MAX_MESSAGE_LENGTH },
      force: { type: "boolean" },
      graceMs: { type: "integer", minimum: 0, maximum: MAX_GRACE_MS },
    },
  }),
  listQuery: compile({
    type: "object",
    additionalProperties: false,
    patternProperties: { "^attr\\..+$": oneOrMany },
    properties: { name: oneOrMany, status: oneOrMany, waiting, sort: liveSort, limit },
  }),
  finishedQuery: compile({
    type: "object",
    additionalProperties: false,
    patternProperties: { "^attr\\..+$": oneOrMany },
    properties: {
      name: oneOrMany,
      status: oneOrMany,
      outcome: {
        anyOf: [{ enum: ["ended", "killed", "aborted"] }, { type: "array", maxItems: 3, items: { enum: ["ended", "killed", "aborted"] } }],
      },
      sort,
      limit,
    },
  }),
  killQuery: compile({
    type: "object",
    additionalProperties: false,
    patternProperties: { "^attr\\..+$": oneOrMany },
    properties: { name: oneOrMany, status: oneOrMany },
  }),
  eventsQuery: compile({
    type: "object",
    additionalProperties: false,
    properties: { id: one({ maxLength: 256 }), name: one({ maxLength: 1024 }) },
  }),
  statsQuery: compile({ type: "object", additionalProperties: false, properties: { name: oneOrMany } }),
  profileQuery: compile({
    type: "object",
    additionalProperties: false,
    properties: { seconds: one({ pattern: "^[0-9]{1,2}(\\.[0-9]{1,3})?$" }), format: { enum: ["table", "cpuprofile"] } },
  }),
  fleetProfileQuery: compile({
    type: "object",
    additionalProperties: false,
    properties: { seconds: one({ pattern: "^[0-9]{1,2}(\\.[0-9]{1,3})?$" }), instance: one({ minLength: 1, maxLength: 256 }) },
  }),
  noQuery: compile({ type: "object", additionalProperties: false, properties: {} }),
  // A fleet's task routes: the boot id of the list the id was read from (refused with 410 after a restart).
  fleetTaskQuery: compile({ type: "object", additionalProperties: false, properties: { boot: one({ pattern: "^[A-Za-z0-9_-]{1,64}$" }) } }),
  // since: an RFC 3339 time or epoch milliseconds; limit: 1-10,000 (checked as a number by the route).
  auditQuery: compile({
    type: "object",
    additionalProperties: false,
    properties: { since: one({ maxLength: 40, pattern: "^[0-9T:.+Z-]+$" }), limit },
  }),
};

export type QueryKind =
  | "listQuery"
  | "finishedQuery"
  | "killQuery"
  | "eventsQuery"
  | "statsQuery"
  | "profileQuery"
  | "fleetProfileQuery"
  | "noQuery"
  | "fleetTaskQuery"
  | "auditQuery";

/** A kill's optional body. */
export interface KillBody {
  message?: string;
  force?: boolean;
  graceMs?: number;
}

/** What a kill asks, read from its body: the message (undefined when none or empty), whether to force, and the grace before forcing. */
export interface KillRequest {
  message: string | undefined;
  force: boolean;
  graceMs: number | undefined;
}

/** A raw query, as parsed by polka (querystring). */
export type Query = Record<string, string | string[] | undefined>;

/**
 * Decodes a task id taken from the path: any percent-encoding is accepted, a malformed one is a
 * 400 (never a 500), and the decoded id must be 1 to 256 characters, as ids are.
 */
export function decodeId(raw: string | undefined): string {
  let id: string;
  try {
    id = decodeURIComponent(raw ?? "");
  } catch {
    throw new HttpError(400, `malformed percent-encoding in task id ${JSON.stringify(shorten(raw ?? ""))}`);
  }
  // `curl localhost:8081/procs/$ID/history` with $ID unset arrives here as "".
  if (id === "") throw new HttpError(400, "empty task id: the path needs one, as in /procs/<id> or /procs/<id>/history");
  const decoded = id;
  if (!validators.id(id))
    throw new HttpError(400, `task id too long: ${decoded.length} characters, at most 256 (${JSON.stringify(shorten(decoded))})`);
  return id;
}

/** Validates the query of a route; throws a 400 naming the bad parameter. */
export function checkQuery(kind: QueryKind, query: Query): void {
  const validate = validators[kind];
  const { limit, seconds } = query;
  if (validate(query)) return;
  const error = validate.errors?.[0];
  if (error?.instancePath === "/seconds" && error.keyword === "pattern") {
    throw new HttpError(
      400,
      `invalid query parameter "seconds" ${JSON.stringify(seconds)}: must be a number of seconds from 1 to 60, such as 10`,
    );
  }
  if (error?.instancePath === "/limit" && error.keyword === "pattern") {
    throw new HttpError(400, `invalid query parameter "limit" ${JSON.stringify(limit)}: must be a whole number of tasks, such as 100`);
  }
  throw invalid(validate.errors, query, "query parameter");
}

/**
 * A kill's message and force options from the request's JSON body (none is a plain kill without
 * a message); a 400 naming what is wrong otherwise, and for a grace without `force: true`. A
 * forced kill's connection is kept past the server's idle timeout for as long as its ladder may take.
 */
export async function readKill(req: IncomingMessage): Promise<KillRequest> {
  const { message, force = false, graceMs } = checkKillBody(await readJsonBody(req));
  if (graceMs !== undefined && !force) throw new HttpError(400, 'body field "graceMs" is the wait before forcing: it needs "force": true');
  // A forced kill is answered once its ladder is over: the connection waits that long too.
  if (force) answerAfter(req, (graceMs ?? DEFAULT_GRACE_MS) + SETTLE_MS);
  return { message: message === "" ? undefined : message, force, graceMs };
}

/** Validates a kill body (undefined when the request had none). */
function checkKillBody(body: unknown): KillBody {
  if (body === undefined) return {};
  if (!validators.killBody(body)) {
    throw invalid(
      validators.killBody.errors,
      body,
      "body field",
      'the body must be a JSON object such as {"message": "why"} or {"message": "why", "force": true, "graceMs": 2000}',
    );
  }
  return body as KillBody;
}

function invalid(errors: ErrorObject[] | null | undefined, value: unknown, what: string, whole?: string): HttpError {
  const error = errors?.[0];
  if (whole !== undefined && error !== undefined && error.instancePath === "" && error.keyword === "type") return new HttpError(400, whole);
  let message = describeError(error, value, what);
  if (error?.keyword === "enum") message += `: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(", ")}`;
  return new HttpError(400, message);
}

function shorten(text: string): string {
  return text.length > 80 ? text.slice(0, 80) + "…" : text;
}
