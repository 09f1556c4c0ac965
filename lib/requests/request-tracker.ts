import type { IncomingMessage, ServerResponse } from "node:http";
import { RequestTracker } from "./request-task";
import type { RequestTrackingOptions } from "./options";

/** A connect-style middleware, as polka and express take. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * The same tracking as `trackRequests`, as connect-style middleware: put it first, so the rest of
 * the chain runs inside the request's task, named after its route (`GET /users/:id`: polka has
 * routed already, express renames the task when it routes). A request the server hook already
 * tracks is left as it is.
 * @example
 * polka().use(requestTracker({ timeoutMs: 30_000 })).get("/users/:id", handler)
 * express().use(requestTracker({ skip: ["/metrics", "/healthz"] }))
 */
export function requestTracker(options: RequestTrackingOptions = {}): Middleware {
  const tracker = new RequestTracker(options);
  return (req, res, next) => tracker.track(req, res, () => next());
}
