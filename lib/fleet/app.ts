import type { IncomingMessage, ServerResponse } from "node:http";
import { EventHub, replayOptions } from "../http/events/hub";
import type { PolkaApp } from "../http/app";
import { guardedApp } from "../http/routing";
import { requires } from "../http/access/guard";
import { whoamiRoute } from "../http/routes/whoami";
import type { ApiRequest } from "../http/responses/handler";
import { wantsStringAttrs } from "../http/original-clients";
import { resolveHttpOptions, type ServeOptions } from "../http/options";
import { eventsRoute } from "../http/routes/events";
import { fleetEvents, type FleetEvent } from "./events";
import { FleetReader } from "./reader";
import type { FleetReaderOptions } from "./options";
import { AuditLog } from "../audit/log";
import { AuditStream } from "./audit-stream";
import { auditRoute } from "../http/routes/audit";
import {
  fleetBy,
  fleetKillRoute,
  fleetFinishedRoute,
  fleetKillWhereRoute,
  fleetListRoute,
  fleetProfileRoute,
  fleetStatsRoute,
  fleetTaskRoute,
  instancesRoute,
} from "./routes";

/** Options of `serveFleet()`: where the fleet is (`redis`, `service`, `prefix`, `timeoutMs`) and the options of `serve()` but `manager`. */
export type FleetServeOptions = FleetReaderOptions &
  Omit<ServeOptions, "manager"> & {
    /** Entries the service's audit stream keeps (`XADD … MAXLEN ~`, so about this many). Default 100,000. */
    auditMaxLen?: number | undefined;
  };

/** The fleet's API as a polka app (see `createApp`), and the reader behind it. */
export interface FleetApp {
  readonly polka: PolkaApp;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** The reader of the fleet in Redis: `connected()` resolves once Redis answers (RedisUnavailableError after `timeoutMs`). */
  readonly reader: { connected(): Promise<void> };
  /** Ends open event streams and closes the Redis connections. */
  close(): Promise<void>;
  closeStreams(): void;
}

/**
 * The routes of `serve()` over every instance of a service, with the same token, protected-mode,
 * Host and CORS rules (the same guard), plus `GET /instances`. A task is `<instance>/<id>`:
 * `/procs/<instance>/<id>` with each part percent-encoded, or the whole name as one segment.
 */
export function createFleetApp(options: Omit<FleetServeOptions, "host" | "port">): FleetApp {
  const { redis, service, prefix, timeoutMs, auditMaxLen = 100_000, ...httpOptions } = options;
  if (!Number.isInteger(auditMaxLen) || auditMaxLen < 100 || auditMaxLen > 100_000_000)
    throw new TypeError(`invalid option "auditMaxLen" ${JSON.stringify(auditMaxLen)}: an integer from 100 to 100000000`);
  const config = resolveHttpOptions(httpOptions);
  const reader = new FleetReader({ redis, service, prefix, timeoutMs });
  const stream = new AuditStream(reader.connection, reader.keys.audit, auditMaxLen);
  const audit = new AuditLog(config.audit === undefined ? [stream.sink] : [stream.sink, config.audit], 1_000, stream);
  let hub: EventHub<FleetEvent> | undefined;
  hub = new EventHub(
    fleetEvents(reader, () => hub?.resync()),
    config.heartbeatMs,
    config.eventBufferBytes,
    config.maxEventClients,
    replayOptions(config),
  );
  const { app, get } = guardedApp(config, audit, fleetBy);
  const strings = (req: ApiRequest) => wantsStringAttrs(config.stringAttrs, req);
  get("/procs", "read", fleetListRoute(reader, strings));
  app.delete("/procs", fleetKillWhereRoute(reader, config, audit) as never);
  get("/procs/finished", "read", fleetFinishedRoute(reader, strings));
  app.get("/procs/events", requires("read", eventsRoute(hub)) as never);
  get("/instances", "read", instancesRoute(reader));
  get("/whoami", undefined, whoamiRoute());
  get("/audit", "audit", auditRoute(audit));
  app.get("/procs/profile", requires("profile", fleetProfileRoute(reader)) as never);
  for (const path of ["/procs/:a", "/procs/:a/:b", "/procs/:a/:b/:c"]) {
    get(path, "read", fleetTaskRoute(reader, "task", config, strings));
    app.delete(path, fleetKillRoute(reader, config, audit) as never);
  }
  get("/stats", "read", fleetStatsRoute(reader));

  const closeStreams = () => hub.close();
  return {
    polka: app,
    handler: app.handler as FleetApp["handler"],
    reader,
    closeStreams,
    close: async () => {
      closeStreams();
      await reader.close();
    },
  };
}
