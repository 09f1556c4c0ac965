// proclist/requests: every request of an application's HTTP server as a task (node:http, polka,
// express), answered when it is killed.

// Loaded first: tsyringe, which holds the default manager, throws without it.
import "reflect-metadata";

// All requests of a server, or the routes a middleware is put before.
export { trackRequests } from "./track-requests";
export { requestTracker } from "./request-tracker";
export type { Middleware } from "./request-tracker";
export type { RequestTrackingOptions } from "./options";

// The task of the request being handled.
export { requestTask } from "./request-task";
