// proclist: what a Node.js service is doing now (its tracked tasks), and a way to stop it.
//
// This entry is what most applications import: the manager, the decorators and the task API, the
// HTTP API, request tracking, and the rest for the imports written before the subpath entries.
// The subpath entries give one concern each and load only what it needs:
//   proclist/client    a client of proclist servers (no manager, tsyringe, reflect-metadata or polka)
//   proclist/http      the HTTP API: serve(), createApp()
//   proclist/requests  each request of an HTTP server as a task
//   proclist/fleet     every instance of a service through Redis
//   proclist/otel      OpenTelemetry spans and ids on tasks
//   proclist/metrics   Prometheus metrics in a prom-client registry

// Loaded first, here, so that users cannot get the order wrong: tsyringe throws without it.
import "reflect-metadata";

// Defines the manager option `otel` (without loading OpenTelemetry) before any manager exists.
import "./otel/option";

// What tasks wait on, from the channels Node and the clients publish (see lib/waits).
import { watchWaits } from "./waits/watch";
watchWaits();

// The manager: starts, lists and kills tasks; one per process, from tsyringe's container.
export { ProcessManager } from "./core/manager";
export type { ManagerOptions, ManagerOptionsInput, TaskOptions } from "./core/options";
export type { RunOptions, KillWhereResult, KillOptions, ForcedWhereResult } from "./core/manager";
export type { ForceResult, ForceRung } from "./core/force";
export { runInPool } from "./workers/run-in-pool";
export type { AbortablePool, PoolRunOptions } from "./workers/run-in-pool";
export type { TaskFilter } from "./core/task-filter";

// Tracking methods: a call of a @Tracked method is a task.
export { Tracked } from "./decorators/tracked";
export type { TrackedOptions } from "./decorators/tracked";
export { Status } from "./decorators/status";
export { Attr } from "./decorators/attr";
export { TaskId } from "./decorators/task-id";

// Inside a task: the task running now, and marking what it waits on.
export { currentTask } from "./core/context";
export type { TaskHandle } from "./core/task-handle";
export { waitOn } from "./core/waits";
export type { WaitOnOptions, WaitOutcome } from "./core/waits";

// What the manager reports: snapshots, history, events, statistics.
export type { TaskInfo, FinishedTaskInfo } from "./core/task-info";
export type { HistoryEntry } from "./core/history";
export type { Task, Outcome, TaskEvent, TaskListener } from "./core/task";
export type { NameStats, PhaseStats } from "./core/stats";

// Which tasks use the CPU: a profile of the process, attributed to tasks.
export { profileCpu, ProfileBusyError } from "./profile/profiler";
export type { ProfileResult } from "./profile/profiler";
export type { ProfileTable, ProfileRow, CpuProfile } from "./profile/attribute";

// Errors: a task's cancellation, and what tracking and the manager refuse.
export { ProclistError, CancelError, TaskNotFoundError, CancelForbiddenError, DuplicateTaskError, TrackingError } from "./core/errors";

// Extending the manager (what proclist/otel and proclist/metrics are built on).
export { TaskSlot } from "./core/extension";
export type { TaskExtension } from "./core/extension";
export type { ExtensionOptions } from "./core/options";

// The HTTP API (also proclist/http).
export { serve } from "./http/serve";
export type { ServedApi } from "./http/serve";
export { createApp } from "./http/app";
export type { ProclistApp, PolkaApp } from "./http/app";
export type { AppOptions, ServeOptions, ScopedToken } from "./http/options";

// A record of who did what through the API (kills, token use), kept past the process.
export { auditFile } from "./audit/file-sink";
export type { AuditFileOptions } from "./audit/file-sink";
export type { AuditEntry, AuditAction, AuditOutcome } from "./audit/entry";
export type { AuditSink } from "./audit/log";

// Requests as tasks (also proclist/requests).
export { trackRequests } from "./requests/track-requests";
export { requestTracker } from "./requests/request-tracker";
export type { Middleware } from "./requests/request-tracker";
export { requestTask } from "./requests/request-task";
export type { RequestTrackingOptions } from "./requests/options";

// Kept here for imports written before the subpath entries; new code imports them from there.
// The client (proclist/client loads none of the above).
export * from "./client/index";
export type { ProcFilter } from "./client/types";
// OpenTelemetry (proclist/otel) and Prometheus (proclist/metrics).
export { enableOtel, disableOtel } from "./otel/enable";
export type { OtelOptions, OtelTracer } from "./otel/enable";
export { registerMetrics } from "./metrics/register";
export type { MetricsOptions, MetricsRegistry } from "./metrics/register";
// The fleet (proclist/fleet).
export { joinFleet } from "./fleet/join";
export type { FleetMembership } from "./fleet/join";
export type { FleetOptions, JoinFleetOptions, RedisSource, RedisClient, FleetReaderOptions } from "./fleet/options";
export { serveFleet } from "./fleet/serve";
export { createFleetApp } from "./fleet/app";
export type { FleetApp, FleetServeOptions } from "./fleet/app";
export type { WireInstance } from "./wire/shapes";
export { DuplicateInstanceError, InstanceUnreachableError, RedisUnavailableError } from "./fleet/errors";
