// Loaded first, here, so that users cannot get the order wrong: tsyringe throws without it.
import "reflect-metadata";

// Defines the manager option `otel` (without loading OpenTelemetry) before any manager exists.
import "./otel/option";

// What tasks wait on, from the channels Node and the clients publish (see lib/waits).
import { watchWaits } from "./waits/watch";
watchWaits();

export { ProcessManager } from "./core/manager";
export type { RunOptions, KillWhereResult } from "./core/manager";
export type { TaskFilter } from "./core/task-filter";
export { Tracked } from "./decorators/tracked";
export type { TrackedOptions } from "./decorators/tracked";
export { Status } from "./decorators/status";
export { Attr } from "./decorators/attr";
export { TaskId } from "./decorators/task-id";
export { currentTask } from "./core/context";
export { waitOn } from "./core/waits";
export type { WaitOnOptions, WaitOutcome } from "./core/waits";
export type { TaskHandle } from "./core/task-handle";
export type { Task, Outcome } from "./core/task";
export type { TaskInfo, FinishedTaskInfo } from "./core/task-info";
export type { HistoryEntry } from "./core/history";
export type { ManagerOptions, ManagerOptionsInput, TaskOptions, ExtensionOptions } from "./core/options";
export { TaskSlot } from "./core/extension";
export type { TaskExtension } from "./core/extension";
export { enableOtel, disableOtel } from "./otel/enable";
export type { OtelOptions } from "./otel/enable";
export { registerMetrics } from "./metrics/register";
export type { MetricsOptions } from "./metrics/register";
export type { TaskEvent, TaskListener } from "./core/task";
export type { NameStats, PhaseStats } from "./core/stats";
export { ProclistError, CancelError, TaskNotFoundError, CancelForbiddenError, DuplicateTaskError, TrackingError } from "./core/errors";
export { ProclistClient } from "./client/client";
export type { ClientOptions } from "./client/client";
export type { EventsOptions } from "./client/events";
export { parseEndpoint } from "./client/endpoint";
export type { Endpoint } from "./client/endpoint";
export type { RemoteProc, RemoteWait, RemotePastWait, RemoteFinishedProc, RemoteProcList, RemoteHistory, RemoteTask, RemoteFinishedList, RemoteStats, RemoteProfile, RemoteEvent, ProcFilter, RemoteKilledWhere } from "./client/types";
export { RemoteError, TransportError, AuthenticationError, HttpStatusError, NotProclistApiError, InvalidResponseError } from "./client/errors";
export { createApp } from "./http/app";
export type { ProclistApp } from "./http/app";
export { serve } from "./http/serve";
export type { ServedApi } from "./http/serve";
export type { AppOptions, ServeOptions, ScopedToken } from "./http/options";
export { auditFile } from "./audit/file-sink";
export type { AuditFileOptions } from "./audit/file-sink";
export type { AuditEntry, AuditAction, AuditOutcome } from "./audit/entry";
export type { AuditSink } from "./audit/log";
export { trackRequests } from "./requests/track-requests";
export { requestTracker } from "./requests/request-tracker";
export type { Middleware } from "./requests/request-tracker";
export { requestTask } from "./requests/request-task";
export type { RequestTrackingOptions } from "./requests/options";
export { joinFleet } from "./fleet/join";
export type { FleetMembership } from "./fleet/join";
export type { FleetOptions, JoinFleetOptions, RedisSource } from "./fleet/options";
export { DuplicateInstanceError } from "./fleet/errors";
export { InstanceUnreachableError, RedisUnavailableError } from "./fleet/errors";
export { serveFleet } from "./fleet/serve";
export { createFleetApp } from "./fleet/app";
export type { FleetApp, FleetServeOptions } from "./fleet/app";
export type { FleetReaderOptions } from "./fleet/options";
export type { WireInstance } from "./wire/shapes";
export { profileCpu, ProfileBusyError } from "./profile/profiler";
export type { ProfileResult } from "./profile/profiler";
export type { ProfileTable, ProfileRow, CpuProfile } from "./profile/attribute";
