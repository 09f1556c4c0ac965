import type { AuditEntry } from "../audit/entry";
/**
 * The JSON shapes of the HTTP API. The first three are the original's dialect (field names exact,
 * read by its Go client and pm-cli); the rest are proclist's additions. Times are RFC 3339 UTC
 * strings with microseconds, e.g. "2026-11-24T09:00:00.123456Z".
 */

/** A live task in `GET /procs/`. The original omits `attrs` when empty and `cancelling` when false. */
export interface WireProc {
  id: string;
  attrs?: Record<string, unknown>;
  procTime: string;
  statusTime: string;
  status: string;
  cancelling?: boolean;
  /** proclist additions, absent from the original. */
  name?: string;
  parent?: string;
  /** Whether the task was started with forbidCancel (so monitors can say why a kill will fail). */
  forbidCancel?: boolean;
  /** A forced kill found it still running after every rung: the time of the cancel it ignores. */
  ignoringCancelSince?: string;
  /** The OpenTelemetry trace the task belongs to (32 hex digits), when tracing is on and a span was active or opened. */
  traceId?: string;
  /** The span the task started under, or its own span with `spans: true` (16 hex digits). */
  spanId?: string;
  /** In a fleet's answers (`serveFleet`): the instance running the task; `id` is then `<instance>/<id>`. */
  instance?: string;
  /**
   * In a fleet's answers: the incarnation (boot id) of the instance the id belongs to. Ids restart
   * with the process; a kill that names the boot (`DELETE /procs/<instance>/<id>?boot=…`) is refused
   * with a 410 once the instance restarted, instead of reaching the new task with that id.
   */
  boot?: string;
  /** proclist: what the task is waiting on now, oldest first; absent when nothing. */
  waits?: WireWait[];
}

/** One operation a task is waiting on: `fetch GET payments:443/charge` since a time. */
export interface WireWait {
  kind: string;
  /** What it waits on: `METHOD host:port/path` (no query string) for fetch and http, `COMMAND host:port` for Redis. */
  target: string;
  since: string;
}

/** `GET /procs/` */
export interface WireProcList {
  procs: WireProc[];
  /** In a fleet's answer (`serveFleet`): the service whose instances are listed. */
  service?: string;
  serverTime: string;
}

export interface WireHistoryEntry {
  ts: string;
  status: string;
}

/** `GET /procs/:id/history` */
export interface WireHistory {
  history: WireHistoryEntry[];
  serverTime: string;
  /** proclist: entries the per-task bound dropped between the first and the kept newest. */
  dropped?: number;
  /** proclist: the link to the task's trace, when the server has a `traceUrl` template and the task a trace id. */
  traceUrl?: string;
  /** proclist: the task's finished waits that lasted the server's `waitHistoryMs` or more, oldest first; absent while none did. */
  waits?: WirePastWait[];
  /** proclist: older such waits the per-task bound (100) let go. */
  droppedWaits?: number;
}

/** A finished wait in a task's history: what it waited on, from when, how long, and how it ended. */
export interface WirePastWait {
  since: string;
  kind: string;
  target: string;
  durationMs: number;
  /** `ok`, `error` (the operation failed), `aborted` (a signal, a kill or a forced abort stopped it, or it was cut short). */
  outcome: "ok" | "error" | "aborted";
}

export type WireOutcome = "ended" | "killed" | "aborted";

/** A finished task in `GET /procs/finished` and `GET /procs/:id` once ended. */
export interface WireFinishedProc extends WireProc {
  outcome: WireOutcome;
  endTime: string;
  durationMs: number;
  /** Who asked for the kill: peer address, and the token label when configured. */
  killedBy?: string;
  /** The message of the error that aborted it. */
  error?: string;
}

/** `GET /procs/finished` */
export interface WireFinishedList {
  finished: WireFinishedProc[];
  serverTime: string;
  /** proclist: the server's keepFinished, how many finished tasks it keeps (so a reader knows how far back the list reaches). */
  keepFinished?: number;
}

/** `GET /procs/:id` */
export interface WireTask {
  proc: WireProc | WireFinishedProc;
  running: boolean;
  serverTime: string;
}

/** `DELETE /procs/:id` on success. */
export interface WireKilled {
  id: string;
  cancelling: true;
  message?: string;
  /** With `force` in the request: how far the ladder got. */
  force?: WireForce;
  serverTime: string;
}

/** How a forced kill went: the rungs taken (in order) and whether the task ended within the wait. */
export interface WireForce {
  graceMs: number;
  ended: boolean;
  outcome?: "ended" | "killed" | "aborted";
  /** Ended within the grace on its cancel alone. */
  cooperated: boolean;
  rungs: ("request" | "waits" | "worker")[];
  /** Still running after the rungs: marked as ignoring its cancel. */
  ignoringCancel: boolean;
}

/** `DELETE /procs/?<filter>`: the matching live tasks now cancelling, and those that cannot be killed (forbidCancel). */
export interface WireKilledWhere {
  cancelled: string[];
  refused: string[];
  /** A fleet's answer: matching tasks not listed, since each instance's answer is bounded. */
  omitted?: number;
  /** A fleet's answer: the up instances whose outcome is unknown (not listening, or silent past the timeout). */
  unanswered?: { instance: string; reason: string }[];
  /** The kill message, when one was given. */
  message?: string;
  /** With `force` in the request: how each forced kill went. */
  forced?: (WireForce & { id: string })[];
  serverTime: string;
}

export interface WirePhaseStats {
  count: number;
  totalMs: number;
}

/** One task name in `GET /stats`. Latencies are over ended tasks, in milliseconds. */
export interface WireNameStats {
  name: string;
  running: number;
  started: number;
  ended: number;
  killed: number;
  aborted: number;
  latencyMs: { count: number; p50: number; p90: number; p99: number; max: number };
  phases: Record<string, WirePhaseStats>;
  /** proclist: time the name's tasks spent waiting, per wait kind (`fetch`, `http`, `redis`…), over ended waits; absent while none ended. */
  waits?: Record<string, WirePhaseStats>;
}

/** Blocks of the event loop of one task name, or unattributed. */
export interface WireBlockTotals {
  count: number;
  seconds: number;
}

/** The event loop's health in `GET /stats`: its delay over the last minute and the blocks seen. */
export interface WireLoop {
  delayMs: { p50: number; p99: number; max: number; windowMs: number };
  blocked: (WireBlockTotals & { name: string })[];
  unattributed: WireBlockTotals;
  /** The last blocks, newest last; `name` and `id` absent when no task could be tied to one. */
  recentBlocks: { endTime: string; ms: number; name?: string; id?: string }[];
}

/**
 * The CPU profile running now (`GET /procs/profile`), in `GET /stats` while it runs: the running
 * tasks whose code was current so far, most first (the live figure `top` shows; the profile's
 * own table, from V8's samples, comes when it ends).
 */
export interface WireProfiling {
  startTime: string;
  endsAt: string;
  tasks: { id: string; name: string; cpuMs: number }[];
}

/** `GET /stats` */
export interface WireStats {
  stats: WireNameStats[];
  /** Absent from servers older than this field (and from the Go original). */
  loop?: WireLoop;
  /** Present only while a CPU profile runs. */
  profiling?: WireProfiling;
  serverTime: string;
}

/** Every error answer. */
export interface WireError {
  error: string;
}

/**
 * One message of `GET /procs/events` (Server-Sent Events; the SSE `event:` field is `type`,
 * `data:` is this object as JSON). `start` carries the whole proc so a monitor needs no fetch;
 * `done` of an aborted task carries the error's message, as `WireFinishedProc.error` does.
 */
export type WireEvent =
  | { type: "start"; ts: string; proc: WireProc }
  /** `ignoringCancelSince` as in `WireProc`, once a forced kill marked the task as ignoring its cancel. */
  | { type: "status"; ts: string; id: string; status: string; ignoringCancelSince?: string }
  | { type: "attr"; ts: string; id: string; key: string; value?: unknown; deleted: boolean }
  | { type: "kill"; ts: string; id: string; message?: string; by?: string }
  | { type: "done"; ts: string; id: string; outcome: WireOutcome; status: string; durationMs: number; error?: string }
  /** proclist: what the task waits on changed (a wait began or ended): its waits now, oldest first (`[]` for none). */
  | { type: "wait"; ts: string; id: string; waits: WireWait[] }
  /** Events were missed that the server cannot give again (the client reconnected too late): read the list again. */
  | { type: "reset"; ts: string; reason: string };

/** The events about one task (every type but `reset`). */
export type WireTaskEvent = Exclude<WireEvent, { type: "reset" }>;

/** A CPU profile's table: times as RFC 3339 text, ms rounded to the microsecond, shares 0–1 of the CPU time sampled. */
export interface WireProfile {
  startTime: string;
  endTime: string;
  samples: number;
  cpuMs: number;
  idleMs: number;
  names: { name: string; cpuMs: number; share: number; tasks: number }[];
  tasks: { id: string; name: string; cpuMs: number; share: number }[];
  outside: { cpuMs: number; share: number };
  gcMs: number;
  programMs: number;
  logFullAt?: string;
}

/** `GET /procs/profile` */
export interface WireProfileAnswer {
  profile: WireProfile;
  serverTime: string;
}

/** serveFleet's `GET /procs/profile`: each up instance's table, or why it has none (409, 502, 504). */
export interface WireFleetProfileAnswer {
  profiles: { instance: string; profile?: WireProfile; status?: number; error?: string }[];
  serverTime: string;
}

/** `GET /audit`: entries newest first. */
export interface WireAuditList {
  entries: AuditEntry[];
  serverTime: string;
}

/** One instance as the fleet lists it: up (with what it said at its last heartbeat) or gone since its last sign of life. */
export interface WireInstance {
  instance: string;
  state: "up" | "gone";
  /** RFC 3339: for "up" the last heartbeat, for "gone" the last heartbeat or the leave. */
  since: string;
  host?: string;
  pid?: number;
  startedAt?: string;
  /** Live tasks at the last heartbeat. */
  tasks?: number;
  /** The incarnation: a new one each time the instance's process starts (see `WireProc.boot`). */
  boot?: string;
}
