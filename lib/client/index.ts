// proclist/client: reads and stops the tasks of proclist servers (and of the original Go pm
// servers) over HTTP. Loads neither the manager, the decorators, tsyringe, reflect-metadata nor
// polka: a monitor, a CLI or a test needs only this.

// The client and its options.
export { ProclistClient } from "./client";
export type { ClientOptions } from "./client";
export type { EventsOptions } from "./events";

// Where a server is: `host:port` or a URL.
export { parseEndpoint } from "./endpoint";
export type { Endpoint } from "./endpoint";

// What the servers answer, as the client decodes it.
export type {
  RemoteProc,
  RemoteWait,
  RemotePastWait,
  RemoteFinishedProc,
  RemoteProcList,
  RemoteHistory,
  RemoteTask,
  RemoteFinishedList,
  RemoteStats,
  RemoteProfile,
  RemoteProfiles,
  RemoteEvent,
  RemoteKilledWhere,
  TaskFilter,
  KillRequestOptions,
  RemoteKilled,
  RemoteForce,
} from "./types";

// What a call can fail with: the server's answers (no such task, may not be killed) and the client's own.
export { ProclistError, TaskNotFoundError, CancelForbiddenError } from "../core/errors";
export { RemoteError, TransportError, AuthenticationError, HttpStatusError, NotProclistApiError, InvalidResponseError } from "./errors";
