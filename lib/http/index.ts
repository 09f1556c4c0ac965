// proclist/http: the HTTP API of a process's tasks (the list, a task's history, kills, events,
// stats, metrics, the web page), served on its own port or mounted in an application's server.

// Loaded first: tsyringe, which holds the default manager, throws without it.
import "reflect-metadata";

// Serve it on a port of its own.
export { serve } from "./serve";
export type { ServedApi } from "./serve";
export type { AppOptions, ServeOptions, ScopedToken } from "./options";

// Or mount it in a server the application has.
export { createApp } from "./app";
export type { ProclistApp, PolkaApp } from "./app";
