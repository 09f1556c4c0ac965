import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { currentTask } from "../core/context";
import type { Task } from "../core/task";
import type { TaskHandle } from "../core/task-handle";
import { onForce } from "../core/force";
import { answerKilled, forceClosed } from "./kill-answer";
import { requestPath, requestUrl, resolveTracking, routeName, routeOf, type RequestTracking, type RequestTrackingOptions } from "./options";

/** Who a disconnect's kill is recorded as (`killedBy`), and its message. */
export const CLIENT_KILLER = "client";
export const DISCONNECT_MESSAGE = "client disconnected";

/**
 * The request's task, on the request itself: a WeakMap entry per request costs the GC an ephemeron
 * to trace for as long as the request lives, a property costs one field.
 */
const TASK = Symbol("proclist.task");
type TaskedRequest = IncomingMessage & { [TASK]?: TaskHandle };

/** Per connection, how to end the tasks of its requests whose responses have not closed yet. */
const pending = new WeakMap<Socket, Set<() => void>>();

/** The task tracking a request, while `trackRequests` or `requestTracker` tracks it. */
export function requestTask(req: IncomingMessage): TaskHandle | undefined {
  return (req as TaskedRequest)[TASK];
}

/**
 * Turns requests into tasks: one per request, entered before the handler runs so the `@Tracked`
 * calls it makes become its children, ended when the response is complete. Shared by the server
 * hook and the middleware; never lets a fault of its own reach the request (see `track`).
 */
export class RequestTracker {
  private readonly config: RequestTracking;
  private reported = false;
  /** Requests served untracked because tracking them failed. */
  failures = 0;

  constructor(options: RequestTrackingOptions) {
    this.config = resolveTracking(options);
  }

  /**
   * Calls `handle` (the rest of the request's handling) inside a new task for the request, and
   * returns what it returns. A request already tracked (the hook and the middleware both on) is
   * handled as it is. If tracking fails, the request is handled untracked, and the first failure
   * is reported as a process warning.
   */
  track<R>(req: IncomingMessage, res: ServerResponse, handle: () => R): R {
    if ((req as TaskedRequest)[TASK] !== undefined) return handle();
    const { manager, name, byRoute, attrs, timeoutMs, forbidCancel, skip } = this.config;
    if (skip !== undefined && this.skipped(skip, req)) return handle();
    let task: Task | undefined;
    try {
      const base = { method: req.method, uri: requestUrl(req), host: peerOf(req) };
      // The route once: it names the task (by default) and goes with it for its span.
      const route = routeOf(req);
      const taskName = byRoute ? routeName(req, route) : name(req);
      // begin(), not run(): the options were checked once, and the task ends with the response, not with `handle`.
      task = manager.begin(
        this.idOf(req),
        clip(taskName),
        attrs === undefined ? base : { ...base, ...attrs(req) },
        forbidCancel,
        undefined,
        currentTask() as Task | undefined,
        timeoutMs,
        { method: req.method ?? "GET", path: requestPath(req), scheme: schemeOf(req), route, status: undefined },
      );
      this.watch(task, req, res);
      // Under express (its request carries `app`), the route is set on the request when routing finds it.
      if (task.request!.route === undefined && (req as { app?: unknown }).app !== undefined) this.followRoute(task, req);
    } catch (error) {
      if (task !== undefined) manager.end(task, "aborted", error);
      this.failed(error);
      return handle();
    }
    try {
      return manager.enter(task, handle);
    } catch (error) {
      // The handler's own error passes through as it would untracked; the request's task ends with it.
      manager.end(task, manager.outcomeOf(task, error), error);
      throw error;
    }
  }

  /** Whether the `skip` option leaves the request untracked; one that throws counts as a tracking failure (untracked). */
  private skipped(skip: (req: IncomingMessage) => boolean, req: IncomingMessage): boolean {
    try {
      return skip(req) === true;
    } catch (error) {
      this.failed(error);
      return true;
    }
  }

  /** The id from the configured header: one that is not a valid id is left to the generator, one in use gets a suffix. */
  private idOf(req: IncomingMessage): string | undefined {
    const header = this.config.idHeader === undefined ? undefined : req.headers[this.config.idHeader];
    if (typeof header !== "string" || !VALID_ID.test(header) || header === "." || header === "..") return undefined;
    return this.config.manager.freeId(header);
  }

  /**
   * Follows the response: the task ends when it is complete (ended, or killed if a kill came
   * first) or cut short. A pipelined request's response waits in its connection's queue, detached
   * from the socket (`res.socket` is null), and Node never closes it when the connection goes: the
   * connection's own close ends those tasks too. A response on its socket is closed by Node when
   * the socket goes, so only queued ones are kept per connection.
   */
  private watch(task: Task, req: IncomingMessage, res: ServerResponse): void {
    (req as TaskedRequest)[TASK] = task;
    const { manager, cancelOnDisconnect, killStatus } = this.config;
    // Not a listener on the signal: that would create it for every request, and few are killed.
    task.onCancel = (killed) => answerKilled(res, killStatus, killed.cancel);
    onForce(task, "request", () => forceClosed(res, killStatus, task.cancel));
    const socket = req.socket as Socket | null;
    let waiting: Set<() => void> | undefined;
    const end = () => {
      if (waiting?.delete(end) === false) return;
      if (!task.running) return;
      // A route known from the start (polka's) stays; one found later (express without the middleware) is looked up now.
      if (task.request?.route === undefined) this.routed(task, req);
      if (task.request !== undefined && res.headersSent) task.request.status = res.statusCode;
      if (res.writableFinished) return manager.end(task, task.cancelling ? "killed" : "ended");
      if (cancelOnDisconnect && !task.forbidCancel) manager.cancel([task], DISCONNECT_MESSAGE, CLIENT_KILLER);
      if (task.cancelling) manager.end(task, "killed");
      else manager.end(task, "aborted", new Error(DISCONNECT_MESSAGE));
    };
    // `on`, not `once`: a response closes once, and `once` allocates a wrapper per request.
    res.on("close", end);
    if (socket === null || socket.destroyed) return end();
    if (res.socket !== null) return;
    waiting = pending.get(socket);
    if (waiting === undefined) {
      const set = new Set<() => void>();
      pending.set(socket, (waiting = set));
      // One listener per connection, however many requests it carries.
      socket.once("close", () => {
        pending.delete(socket);
        for (const ender of [...set]) ender();
      });
    }
    waiting.add(end);
  }

  /**
   * The route routing found, now known: kept for the task's span and, under the default naming,
   * made the task's name (`GET` becomes `GET /orders/:id`). Called when the request is routed
   * (express sets `req.route`) and at its end.
   */
  routed(task: Task, req: IncomingMessage): void {
    const facts = task.request;
    if (facts === undefined || !task.running) return;
    try {
      const route = routeOf(req);
      if (route === undefined || route === facts.route) return;
      facts.route = route;
      if (this.config.byRoute) this.config.manager.rename(task, clip(routeName(req, route)));
    } catch {
      // Called from the response's close and from express's router: a request whose properties
      // throw when read keeps the name it has, and its end and its routing go on.
    }
  }

  /** Renames the task when express's router sets `req.route` (before the route's handlers run), and keeps the value it set. */
  private followRoute(task: Task, req: IncomingMessage): void {
    let route: unknown;
    Object.defineProperty(req, "route", {
      configurable: true,
      enumerable: true,
      get: () => route,
      set: (value: unknown) => {
        route = value;
        this.routed(task, req);
      },
    });
  }

  private failed(error: unknown): void {
    this.failures++;
    if (this.reported) return;
    this.reported = true;
    const message = error instanceof Error ? error.message : String(error);
    process.emitWarning(
      `request tracking failed, so the request was served untracked (later failures are counted, not reported): ${message}`,
      { code: "PROCLIST_REQUEST_TRACKING" },
    );
  }
}

/** A name of at most 200 characters. */
function clip(name: string): string {
  return name.length > 200 ? name.slice(0, 199) + "…" : name;
}

/** Printable ASCII, 1 to 256 characters: what an id header may hold to be used as it is. */
const VALID_ID = /^[\x21-\x7e]{1,256}$/;

/** `https` for a request on a TLS connection (node:https, or an HTTP/1 request of node:http2's secure server), else `http`. */
function schemeOf(req: IncomingMessage): string {
  return (req.socket as { encrypted?: unknown } | null)?.encrypted === true ? "https" : "http";
}

/** The peer as the original's examples show it: `10.0.0.7:5123`, `[::1]:5123`. */
function peerOf(req: IncomingMessage): string | undefined {
  const { remoteAddress, remotePort } = req.socket;
  if (remoteAddress === undefined) return undefined;
  // An IPv6 address has a colon, an IPv4 one never does (a cheaper test than isIPv6's pattern).
  return remoteAddress.includes(":") ? `[${remoteAddress}]:${remotePort}` : `${remoteAddress}:${remotePort}`;
}
