import type { IncomingMessage } from "node:http";
import { container } from "tsyringe";
import { ProcessManager } from "../core/manager";
import { TIMEOUT_SCHEMA } from "../core/options";
import { optionChecker, type Checker } from "../schema/validation";

/** Options of `trackRequests()` and `requestTracker()`; every field is optional. */
export interface RequestTrackingOptions {
  /** The manager the request tasks join; default the container's. */
  manager?: ProcessManager | undefined;
  /**
   * The task's name: a fixed string, or a function of the request. Default `METHOD <path>` (the
   * path without its query). The function runs when the request arrives, before any router.
   */
  name?: string | ((req: IncomingMessage) => string) | undefined;
  /** More attributes, merged over `method`, `uri` and `host` (the peer's address and port). */
  attrs?: ((req: IncomingMessage) => Record<string, unknown>) | undefined;
  /** A request header holding the id (such as `x-request-id`); without it, or when invalid, the id is generated. */
  idHeader?: string | undefined;
  /** A deadline per request: past it the request's task (and its children) is killed. */
  timeoutMs?: number | undefined;
  /** Kill the request's task when the client goes away before the response is complete. Default true. */
  cancelOnDisconnect?: boolean | undefined;
  /** The status answered to a request whose task is killed before the handler answered. Default 503. */
  killStatus?: number | undefined;
  /** Request tasks cannot be killed (by operators, deadlines or disconnects). Default false. */
  forbidCancel?: boolean | undefined;
  /**
   * Requests served untracked: paths (`["/metrics", "/healthz"]`, compared with the path without
   * its query) or `(req) => boolean`. Keeps scrapes and health checks out of the list and stats.
   */
  skip?: readonly string[] | ((req: IncomingMessage) => boolean) | undefined;
}

/** The options with their defaults, validated once. */
export interface RequestTracking {
  manager: ProcessManager;
  name: (req: IncomingMessage) => string;
  attrs: ((req: IncomingMessage) => Record<string, unknown>) | undefined;
  idHeader: string | undefined;
  timeoutMs: number | undefined;
  cancelOnDisconnect: boolean;
  killStatus: number;
  forbidCancel: boolean | undefined;
  skip: ((req: IncomingMessage) => boolean) | undefined;
}

const check: Checker<RequestTrackingOptions> = optionChecker<RequestTrackingOptions>(
  {
    type: "object",
    additionalProperties: false,
    properties: {
      manager: { type: "object" },
      name: { anyOf: [{ type: "string", minLength: 1, maxLength: 200 }, { isFunction: true }] },
      attrs: { isFunction: true },
      idHeader: { type: "string", pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$" },
      timeoutMs: TIMEOUT_SCHEMA,
      cancelOnDisconnect: { type: "boolean" },
      killStatus: { type: "integer", minimum: 400, maximum: 599 },
      forbidCancel: { type: "boolean" },
      skip: { anyOf: [{ isFunction: true }, { type: "array", maxItems: 1000, items: { type: "string", pattern: "^/", maxLength: 2048 } }] },
    },
  },
  "request tracking option",
);

/** Validates the options (a TypeError names the bad one) and fills in the defaults. */
export function resolveTracking(options: RequestTrackingOptions): RequestTracking {
  check(options);
  if (options.manager !== undefined && !(options.manager instanceof ProcessManager))
    throw new TypeError('invalid request tracking option "manager": must be a ProcessManager');
  const name = options.name;
  return {
    manager: options.manager ?? container.resolve(ProcessManager),
    name: typeof name === "string" ? () => name : (name ?? defaultName),
    attrs: options.attrs,
    idHeader: options.idHeader?.toLowerCase(),
    timeoutMs: options.timeoutMs,
    cancelOnDisconnect: options.cancelOnDisconnect ?? true,
    killStatus: options.killStatus ?? 503,
    forbidCancel: options.forbidCancel,
    skip: skipOf(options.skip),
  };
}

/** The `skip` option as a test of the request: a list of paths becomes a lookup of the path without its query. */
function skipOf(skip: RequestTrackingOptions["skip"]): ((req: IncomingMessage) => boolean) | undefined {
  if (skip === undefined || typeof skip === "function") return skip;
  if (skip.length === 0) return undefined;
  const paths = new Set(skip);
  return (req) => paths.has(pathOf(requestUrl(req)));
}

function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

/** `GET /users/42` for `GET /users/42?full=1`. */
function defaultName(req: IncomingMessage): string {
  return `${req.method} ${pathOf(requestUrl(req))}`;
}

/** The URL as the client sent it: express and polka rewrite `req.url` under a mount path, not `originalUrl`. */
export function requestUrl(req: IncomingMessage): string {
  return (req as { originalUrl?: string }).originalUrl ?? req.url ?? "";
}
