// Loaded first, here, so that users cannot get the order wrong: tsyringe throws without it.
import "reflect-metadata";

export { ProcessManager } from "./manager";
export type { RunOptions } from "./manager";
export { Tracked } from "./decorators/tracked";
export type { TrackedOptions } from "./decorators/tracked";
export { Status } from "./decorators/status";
export { Attr } from "./decorators/attr";
export { TaskId } from "./decorators/task-id";
export { currentTask } from "./context";
export type { TaskHandle } from "./task-handle";
export type { Task, Outcome } from "./task";
export type { TaskInfo, FinishedTaskInfo } from "./task-info";
export type { HistoryEntry } from "./history";
export type { ManagerOptions, TaskOptions } from "./options";
export type { TaskEvent, TaskListener } from "./events";
export type { NameStats, PhaseStats } from "./stats";
export { ProclistError, CancelError, TaskNotFoundError, CancelForbiddenError, DuplicateTaskError } from "./errors";
export { ProclistClient } from "./client/client";
export type { ClientOptions } from "./client/client";
export type { EventsOptions } from "./client/events";
export { parseEndpoint } from "./client/endpoint";
export type { Endpoint } from "./client/endpoint";
export type { RemoteProc, RemoteFinishedProc, RemoteProcList, RemoteHistory, RemoteTask, RemoteFinishedList, RemoteStats, RemoteEvent, ProcFilter } from "./client/types";
export { RemoteError, TransportError, AuthenticationError, HttpStatusError, InvalidResponseError } from "./client/errors";
