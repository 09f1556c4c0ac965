import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { RequestTracker } from "./request-task";
import type { RequestTrackingOptions } from "./options";

/**
 * Tracks every request a `node:http` or `node:https` server (and so any framework on it) receives:
 * each is a task named `METHOD` (renamed `METHOD <route>` when the request ends, if a framework
 * routed it; see the `name` option) with `method`, `uri` and `host` attributes, the `@Tracked`
 * calls made while handling it as children, ended when the response is complete, killed when the
 * client goes away first. Returns the function that stops tracking.
 *
 * The server's `emit` is wrapped, so that every `request` listener, added before or after, runs
 * inside the request's task: `diagnostics_channel`'s `http.server.request.start` is published
 * before the listeners run, but a subscriber can only enter a context with `enterWith`, which
 * leaks it past the request.
 * @example
 * const server = http.createServer(app);
 * trackRequests(server, { idHeader: "x-request-id", timeoutMs: 30_000 });
 */
export function trackRequests(server: Server, options: RequestTrackingOptions = {}): () => void {
  if (server === null || typeof server !== "object" || typeof server.emit !== "function" || typeof server.listen !== "function") {
    throw new TypeError("trackRequests needs a node:http or node:https server, as http.createServer() returns");
  }
  const tracker = new RequestTracker(options);
  const emit = server.emit;
  // `arguments` rather than rest parameters: every event of the server passes here.
  const tracked = function (this: Server, event: string | symbol): boolean {
    const args = arguments;
    if (event !== "request") return Reflect.apply(emit, this, args) as boolean;
    return tracker.track(args[1] as IncomingMessage, args[2] as ServerResponse, () => Reflect.apply(emit, this, args) as boolean);
  };
  server.emit = tracked as Server["emit"];
  return () => {
    if (server.emit === tracked) server.emit = emit;
  };
}
