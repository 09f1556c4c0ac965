import { ajv } from "../schema/validation";
import { MAX_MESSAGE_LENGTH } from "../http/inputs/checks";
import { MAX_GRACE_MS } from "../core/force";
import { BOOT_PATTERN } from "./boot";

/** What a caller may ask one instance through its control channel. */
export type FleetOp = "kill" | "killWhere" | "list" | "task" | "history" | "finished" | "stats" | "profile" | "cancel";

/** A request on `<p><service>:control:<instance>`: answered on the caller's reply channel with the same `rid`. */
export interface FleetRequest {
  rid: string;
  /** The caller's reply channel is `<p><service>:reply:<caller>`. */
  caller: string;
  op: FleetOp;
  /** The task's id on that instance (kill, task, history); cancel: the `rid` of the caller's request to stop (a profile). */
  id?: string;
  message?: string;
  /** Who asked, as recorded with the kill: `alice@fleet-api`, `cli:alice@host`. */
  by?: string;
  /**
   * killWhere: the list's filters, as the query of `DELETE /procs/?name=…&status=…&attr.<k>=<v>`;
   * list: the query of `GET /procs/?name=…&status=…&attr.<k>=<v>&sort=…&limit=…`.
   */
  query?: Record<string, string | string[]>;
  /** kill, killWhere: the caller's kill rights when limited to task names (`cancel:Reports.*`); absent, any task. */
  can?: string[];
  /** profile: how many seconds to profile the instance's CPU (1–60). */
  seconds?: number;
  /**
   * Epoch ms (the caller's clock) after which the caller no longer waits: a request that reaches
   * the instance later than that (plus DEADLINE_SLACK_MS for clocks that differ) is dropped, so a
   * kill held up by a frozen Redis is never carried out after its caller was told it timed out.
   */
  deadline?: number;
  /** kill, killWhere: force after the grace (see `ProcessManager.kill`); answered once the ladder is over. */
  force?: boolean;
  graceMs?: number;
  /**
   * The incarnation the id was read from (`bootOf`): an instance in another one does nothing and
   * answers 410 (ids restart with the process). Absent, the request is for whichever runs now.
   */
  boot?: string;
}

/** How far an instance's clock may be ahead of its caller's before a request in time is taken as late. */
export const DEADLINE_SLACK_MS = 1_000;

/** What a caller fills in of a request (the rest is the routing's). */
export type FleetFields = Pick<FleetRequest, "id" | "message" | "by" | "query" | "can" | "seconds" | "force" | "graceMs" | "boot">;

/** The answer: an HTTP-like status and the body (wire JSON) or an error message. */
export interface FleetReply {
  rid: string;
  status: number;
  body?: unknown;
  error?: string;
}

/** Anyone who can publish on the channel can send these: everything is bounded and checked. */
export const validateRequest = ajv.compile<FleetRequest>({
  type: "object",
  additionalProperties: false,
  required: ["rid", "caller", "op"],
  properties: {
    rid: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" },
    caller: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" },
    op: { enum: ["kill", "killWhere", "list", "task", "history", "finished", "stats", "profile", "cancel"] },
    seconds: { type: "number", minimum: 1, maximum: 60 },
    id: { type: "string", minLength: 1, maxLength: 256 },
    message: { type: "string", maxLength: MAX_MESSAGE_LENGTH },
    by: { type: "string", maxLength: 300 },
    deadline: { type: "number" },
    can: { type: "array", minItems: 1, maxItems: 64, items: { type: "string", maxLength: 1100 } },
    force: { type: "boolean" },
    graceMs: { type: "integer", minimum: 0, maximum: MAX_GRACE_MS },
    boot: { type: "string", pattern: BOOT_PATTERN },
    // The instance checks it again as the HTTP route does (killQuery, listQuery); this bounds its size first.
    query: {
      type: "object",
      maxProperties: 64,
      additionalProperties: {
        anyOf: [
          { type: "string", maxLength: 1024 },
          { type: "array", maxItems: 100, items: { type: "string", maxLength: 1024 } },
        ],
      },
    },
  },
});

export const validateReply = ajv.compile<FleetReply>({
  type: "object",
  required: ["rid", "status"],
  properties: { rid: { type: "string" }, status: { type: "integer" }, error: { type: "string" } },
});

/** The largest message read from a channel: a kill or a history answer is far smaller. */
export const MAX_MESSAGE_BYTES = 4 << 20;

/**
 * Reads one message of a channel: too large, not JSON or not of the shape `check` accepts gives
 * undefined (anyone who can publish on the channel can send anything; nothing of it may throw).
 */
export function readMessage<T>(text: string, check: (value: unknown) => value is T): T | undefined {
  if (text.length > MAX_MESSAGE_BYTES) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return check(value) ? value : undefined;
}
