import type { TrackingError } from "./errors";
import { optionChecker, type Checker } from "../schema/validation";

/** Defaults for new tasks and the bounds a manager keeps; every field is optional in `setOptions`. */
export interface ManagerOptions {
  /** New tasks cannot be killed (the original's ForbidCancel). Default false. */
  forbidCancel: boolean;
  /** A tracked call ended by its cancellation resolves to undefined instead of rejecting (the original's StopCancelPanic). Default false. */
  swallowCancel: boolean;
  /** How many finished tasks stay visible, with history and outcome. 0 keeps none. Default 100. */
  keepFinished: number;
  /** History entries kept per task: the first and the newest. At least 2. Default 1,000. */
  maxHistory: number;
  /** String attribute values longer than this many characters are cut. Default 1,024. */
  maxAttrLength: number;
  /** Status texts longer than this many characters are cut, so one task's history stays bounded in bytes too. Default 1,024. */
  maxStatusLength: number;
  /**
   * Called with each tracking fault (a throwing `@Attr` mapper, `@Status` text function, `attrs`
   * getter, an unusable `@TaskId` value, a taken request id): the call ran anyway and the task
   * carries the fault in its `proclist.error` attribute. Default: print each site once on stderr.
   */
  onError: ((error: TrackingError) => void) | undefined;
  /**
   * Record what each task waits on (its outbound fetch, http and database calls, see README,
   * "What a task waits on"). Default true; off, a task shows no waits and costs nothing for them.
   */
  waits: boolean;
  /** A finished wait that lasted this many ms or more is kept in its task's history. Default 100. */
  waitHistoryMs: number;
  /**
   * A task's synchronous code holding the event loop this many ms or longer is a block: recorded
   * on its history ("blocked the event loop 1.2 s") and counted per name. Default 200.
   */
  blockThresholdMs: number;
}

/**
 * Manager options as callers pass them: any field may be left out, or be undefined (so
 * `{ keepFinished: env.KEEP && Number(env.KEEP) }`-style code compiles under exactOptionalPropertyTypes);
 * either way the current value stays.
 */
export type ManagerOptionsInput = { [K in keyof ManagerOptions]?: ManagerOptions[K] | undefined } & ExtensionOptions;

/**
 * Options that modules outside the core add to the manager (lib/otel adds `otel`): each declares
 * its field here by declaration merging and applies it through `defineManagerOption`.
 */
export interface ExtensionOptions {}

/** Options of one task; unset (or undefined) fields take the manager's defaults. */
export interface TaskOptions {
  /** A label shared by tasks of one kind, such as `UserService.find`. */
  name?: string | undefined;
  /** Initial attributes (method, uri, user…). */
  attrs?: Record<string, unknown> | undefined;
  forbidCancel?: boolean | undefined;
  swallowCancel?: boolean | undefined;
  /** A deadline: past this many ms the task is killed with `deadline exceeded after <N> ms` (killedBy `deadline`). */
  timeoutMs?: number | undefined;
}

/** The longest deadline a timer can hold (setTimeout's bound, about 24.8 days). */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** The schema of a deadline option, shared by every option object that takes one. */
export const TIMEOUT_SCHEMA = { type: "number", exclusiveMinimum: 0, maximum: MAX_TIMEOUT_MS } as const;

export const DEFAULT_OPTIONS: Readonly<ManagerOptions> = Object.freeze({
  forbidCancel: false,
  swallowCancel: false,
  keepFinished: 100,
  maxHistory: 1000,
  maxAttrLength: 1024,
  maxStatusLength: 1024,
  onError: undefined,
  waits: true,
  waitHistoryMs: 100,
  blockThresholdMs: 200,
});

const count = (minimum: number) => ({ type: "integer", minimum, maximum: 1e9 }) as const;

export const checkManagerOptions: Checker<ManagerOptionsInput> = optionChecker<ManagerOptionsInput>(
  {
    type: "object",
    additionalProperties: false,
    properties: {
      forbidCancel: { type: "boolean" },
      swallowCancel: { type: "boolean" },
      keepFinished: count(0),
      maxHistory: count(2),
      maxAttrLength: count(1),
      maxStatusLength: count(1),
      onError: { isFunction: true },
      waits: { type: "boolean" },
      waitHistoryMs: { type: "number", minimum: 0, maximum: MAX_TIMEOUT_MS },
      blockThresholdMs: { type: "number", minimum: 1, maximum: MAX_TIMEOUT_MS },
    },
  },
  "option",
);

/** The longest task name a manager accepts. */
export const MAX_TASK_NAME = 200;

export const checkTaskOptions: Checker<TaskOptions> = optionChecker<TaskOptions>(
  {
    type: "object",
    additionalProperties: false,
    properties: {
      name: { type: "string", minLength: 1, maxLength: MAX_TASK_NAME },
      attrs: { type: "object" },
      forbidCancel: { type: "boolean" },
      swallowCancel: { type: "boolean" },
      timeoutMs: TIMEOUT_SCHEMA,
    },
  },
  "task option",
);

/** The options with their undefined fields left out, so that spreading them keeps what they do not set. */
export function definedOptions(options: ManagerOptionsInput): Partial<ManagerOptions> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (value !== undefined) out[key] = value;
  return out as Partial<ManagerOptions>;
}
