import type { IncomingMessage } from "node:http";
import { container } from "tsyringe";
import { ProcessManager } from "../core/manager";
import { MAX_TASK_NAME, TIMEOUT_SCHEMA } from "../core/options";
import { optionChecker, type Checker } from "../schema/validation";
import { mountPattern } from "./express-mounts";

/** Options of `trackRequests()` and `requestTracker()`; every field is optional. */
export interface RequestTrackingOptions {
  /** The manager the request tasks join; default the container's. */
  manager?: ProcessManager | undefined;
  /**
   * The task's name: a fixed string, or a function of the request (it runs when the request
   * arrives, before any router). Default `METHOD <route>` with the framework's route
   * (`GET /orders/:id`), and `METHOD` alone until a route is known (a 404, a bare `node:http`
   * server): never the raw path, which would make a name, a metric label and a span name per id.
   * polka's route is known when the middleware runs; express's once the request is routed, and
   * the task is renamed then.
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
  /** The default name: `METHOD <route>`, the task renamed once routing finds the route. */
  byRoute: boolean;
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
      name: { anyOf: [{ type: "string", minLength: 1, maxLength: MAX_TASK_NAME }, { isFunction: true }] },
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
    byRoute: name === undefined,
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

/** `GET /users/:id` where the route is known, else `GET`: a name per route, never per path. */
export function defaultName(req: IncomingMessage): string {
  return routeName(req, routeOf(req));
}

/** The default name of a request whose route (or none) is already known. */
export function routeName(req: IncomingMessage, route: string | undefined): string {
  return route === undefined ? (req.method ?? "GET") : `${req.method} ${route}`;
}

/** The path of the request without its query. */
export function requestPath(req: IncomingMessage): string {
  return pathOf(requestUrl(req));
}

/**
 * The framework's route of a request, once routing found it: express's `req.route.path` under its
 * `req.baseUrl`; polka's matched pattern, rebuilt from its `req.params` over `req.path` (polka
 * keeps no pattern on the request, and sets `params` only on a match). Undefined when no route is
 * known (no route matched, or no framework).
 */
export function routeOf(req: IncomingMessage): string | undefined {
  const r = req as { route?: { path?: unknown }; baseUrl?: unknown; params?: unknown; path?: unknown; app?: unknown };
  const route = r.route;
  const routePath = route?.path;
  if (typeof routePath === "string") {
    const baseUrl = typeof r.baseUrl === "string" ? r.baseUrl : "";
    // The mount's pattern (`/t/:tenant`) rather than the path it matched (`/t/acme`), where it can be told.
    return (mountPattern(r.app, route as object, baseUrl) ?? baseUrl) + routePath;
  }
  // An express request (it carries `app`) has `params` before routing: only its `route` says.
  if (r.app !== undefined || r.params === null || typeof r.params !== "object" || typeof r.path !== "string") return undefined;
  // A polka sub-app (`use("/api", app)`) or a middleware under a path cuts that path off `req.path`.
  const path = r.path;
  const original = pathOf(requestUrl(req));
  const mount = path !== original && original.endsWith(path) ? original.slice(0, original.length - path.length) : "";
  // polka sets `req.params` only when a route matched: a route without parameters is the path itself.
  const params = Object.entries(r.params as Record<string, unknown>);
  if (params.length === 0) return mount === "" ? path : mount + (path === "/" ? "" : path);
  // Each segment equal to a parameter's value becomes `:name`, searched after the segments already
  // named; a wildcard (`*`, polka 0.5, holding the first segment it covers; `wild`, polka 1, all of
  // them) becomes `*` with every segment from there on, whatever the depth.
  const segments = path.split("/");
  let from = 1;
  for (const [key, value] of params) {
    if (typeof value !== "string" || value === "") continue;
    const first = key === "wild" ? value.split("/")[0] : value;
    const at = segments.findIndex((segment, i) => i >= from && (segment === first || safeDecode(segment) === first));
    if (at === -1) continue;
    if (key === "*" || key === "wild") {
      segments.splice(at, segments.length - at, "*");
      break;
    }
    segments[at] = `:${key}`;
    from = at + 1;
  }
  return mount + segments.join("/");
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The URL as the client sent it: express and polka rewrite `req.url` under a mount path, not `originalUrl`. */
export function requestUrl(req: IncomingMessage): string {
  return (req as { originalUrl?: string }).originalUrl ?? req.url ?? "";
}
