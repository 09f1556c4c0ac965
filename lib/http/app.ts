import type { IncomingMessage, ServerResponse } from "node:http";
import { container } from "tsyringe";
import { ProcessManager } from "../core/manager";
import { EventHub, managerEvents, replayOptions } from "./events/hub";
import { finishedSource, FilteredLists, liveSource } from "./lists/filtered";
import { requires } from "./access/guard";
import { whoamiRoute } from "./routes/whoami";
import type { ApiRequest } from "./responses/handler";
import { resolveAppOptions, type AppOptions } from "./options";
import { ListGate } from "./lists/gate";
import { ProcListCache } from "./lists/live";
import { eventsRoute } from "./routes/events";
import { finishedRoute } from "./routes/finished";
import { historyRoute } from "./routes/history";
import { AuditLog } from "../audit/log";
import { auditRoute } from "./routes/audit";
import { killRoute } from "./routes/kill";
import { killWhereRoute } from "./routes/kill-where";
import { listRoute } from "./routes/list";
import { metricsRoute } from "./routes/metrics";
import { metricsSource } from "../metrics/endpoint";
import { profileHeadRoute, profileRoute } from "./routes/profile";
import { statsRoute } from "./routes/stats";
import { taskRoute } from "./routes/task";
import { wantsStringAttrs } from "./original-clients";
import { guardedApp } from "./routing";

/**
 * The polka 0.5 app behind an API, as far as proclist's types name it (so that they compile
 * without @types/polka): listen on it, or mount it in another polka app (`polka().use("/pm", app.polka)`).
 */
export interface PolkaApp {
  /** The request listener. */
  handler(req: IncomingMessage, res: ServerResponse): void;
  /** `server.listen(...args)` on a server polka makes for the app. */
  listen(...args: unknown[]): this;
}

/** The proclist HTTP API as a polka app, ready to listen or to mount under a prefix of another server. */
export interface ProclistApp {
  /** The polka app: `polka().use("/pm", app.polka)`, or `app.polka.listen(8081, "127.0.0.1")`. */
  readonly polka: PolkaApp;
  /** A plain request listener: `http.createServer(app.handler)`, or `express().use("/pm", app.handler)`. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** The manager served. */
  readonly manager: ProcessManager;
  /** Ends open event streams (they would otherwise keep a closing server waiting) and takes the metrics hook off the manager. */
  closeStreams(): void;
}

/**
 * Builds the API: routes, the guard (CORS, token), JSON errors for unknown routes (404) and
 * wrong methods (405 with `Allow`). Nothing is registered globally; each call makes a new app.
 * Throws a TypeError naming the option and value when an option is wrong.
 * @example http.createServer(createApp({ token: process.env.PM_TOKEN }).handler).listen(8081, "127.0.0.1")
 */
export function createApp(options: AppOptions = {}): ProclistApp {
  const config = resolveAppOptions(options, () => container.resolve(ProcessManager));
  const { manager } = config;
  const hub = new EventHub(
    managerEvents(manager),
    config.heartbeatMs,
    config.eventBufferBytes,
    config.maxEventClients,
    replayOptions(config),
  );
  const audit = new AuditLog(config.audit === undefined ? [] : [config.audit]);
  // Each GET route names the right it needs (see access/rights); kills check theirs per task.
  const { app, get } = guardedApp(config, audit);
  // Fixed paths before `:id`: the router takes the first match.
  // The original's clients get attribute values as strings, from caches of their own: the
  // typed caches stay as they are, and the others are filled only once such a client asks.
  const gate = new ListGate(config.maxListQueries);
  const strings = (req: ApiRequest) => wantsStringAttrs(config.stringAttrs, req);
  const live = [false, true].map((stringAttrs) => {
    const source = liveSource(manager, stringAttrs);
    return { cache: new ProcListCache(manager, source.entry), filtered: new FilteredLists(source) };
  });
  const finished = [false, true].map((stringAttrs) => new FilteredLists(finishedSource(manager, stringAttrs)));
  get(
    "/procs",
    "read",
    listRoute((req) => live[Number(strings(req))], gate),
  );
  app.delete("/procs", killWhereRoute(manager, config, audit) as never);
  get(
    "/procs/finished",
    "read",
    finishedRoute(manager, (req) => finished[Number(strings(req))], gate),
  );
  app.get("/procs/events", requires("read", eventsRoute(hub)) as never);
  app.get("/procs/profile", requires("profile", profileRoute()) as never).head("/procs/profile", profileHeadRoute() as never);
  get("/procs/:id", "read", taskRoute(manager, strings));
  app.delete("/procs/:id", killRoute(manager, config, audit) as never);
  get("/procs/:id/history", "read", historyRoute(manager, config.traceUrl));
  get("/stats", "read", statsRoute(manager));
  get("/whoami", undefined, whoamiRoute());
  get("/audit", "audit", auditRoute(audit));
  const metrics = config.metrics === undefined ? undefined : metricsSource(manager, config.metrics);
  if (metrics !== undefined) get("/metrics", "read", metricsRoute(metrics));

  return {
    polka: app,
    handler: app.handler as ProclistApp["handler"],
    manager,
    closeStreams: () => {
      hub.close();
      metrics?.close(); // one ended hook per app: an app closed and made again must not add up
    },
  };
}
