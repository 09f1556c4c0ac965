import type { HistoryEntry } from "../core/history";
import type { NameStats } from "../core/stats";
import type { WireEvent, WireForce, WireLoop, WireOutcome, WirePastWait, WireProfile, WireProfiling } from "../wire/shapes";

/**
 * A live task as a server reports it. Times are epoch ms with sub-ms precision (as in the
 * library); `attrs` is `{}` and `cancelling` false when an original Go server left them out.
 * The optional fields come from proclist servers only, and are absent (never undefined) otherwise.
 */
export interface RemoteProc {
  id: string;
  attrs: Record<string, unknown>;
  procTime: number;
  statusTime: number;
  status: string;
  cancelling: boolean;
  name?: string;
  parent?: string;
  forbidCancel?: boolean;
  /** A forced kill found it still running after every rung: when the cancel it ignores was asked (epoch ms). */
  ignoringCancelSince?: number;
  /** The OpenTelemetry trace and span the task belongs to, when the server traces. */
  traceId?: string;
  spanId?: string;
  /** From a fleet: the instance running the task (`id` is then `<instance>/<id>`). */
  instance?: string;
  /** From a fleet: the incarnation of that instance; give it to `kill` (`boot`) so a restart in between refuses the kill. */
  boot?: string;
  /** What the task is waiting on now, oldest first (`since` in epoch ms); absent when nothing. */
  waits?: RemoteWait[];
}

/** One operation a task waits on: `fetch` `GET payments:443/charge` since a time (epoch ms). */
export interface RemoteWait {
  kind: string;
  target: string;
  since: number;
}

/** A finished wait kept in a task's history (one that lasted the server's `waitHistoryMs` or more). */
export interface RemotePastWait extends RemoteWait {
  durationMs: number;
  outcome: WirePastWait["outcome"];
}

/** A finished task kept by a proclist server: how it ended, when, and who killed it. */
export interface RemoteFinishedProc extends RemoteProc {
  outcome: WireOutcome;
  endTime: number;
  durationMs: number;
  killedBy?: string;
  error?: string;
}

/** `processes()`: the live tasks, oldest first as the server lists them, and the server's clock. */
export interface RemoteProcList {
  procs: RemoteProc[];
  serverTime: number;
}

/** `history(id)`: the timeline, oldest first. `dropped` counts entries the server's bound removed. */
export interface RemoteHistory {
  history: HistoryEntry[];
  serverTime: number;
  dropped: number;
  /** The link to the task's trace, when the server has a `traceUrl` template and the task a trace. */
  traceUrl?: string;
  /** The task's finished waits that lasted the server's `waitHistoryMs` or more, oldest first; absent while none did. */
  waits?: RemotePastWait[];
  /** Older such waits the server's per-task bound let go. */
  droppedWaits?: number;
}

/** `task(id)`: one task, live or recently finished. */
export interface RemoteTask {
  proc: RemoteProc | RemoteFinishedProc;
  running: boolean;
  serverTime: number;
}

/** `finished()`: the recently finished tasks a proclist server keeps. */
export interface RemoteFinishedList {
  finished: RemoteFinishedProc[];
  serverTime: number;
}

/** `stats()`: counters and latencies per task name. */
export interface RemoteStats {
  stats: NameStats[];
  /** The event loop's delay and blocks (proclist servers that report them); times in epoch ms. */
  loop?: Omit<WireLoop, "recentBlocks"> & { recentBlocks: (Omit<WireLoop["recentBlocks"][number], "endTime"> & { endTime: number })[] };
  /** While a CPU profile runs: its start and end (epoch ms) and the running tasks' CPU so far, most first. */
  profiling?: Omit<WireProfiling, "startTime" | "endsAt"> & { startTime: number; endsAt: number };
  serverTime: number;
}

/** A CPU profile's table (`GET /procs/profile`), times in epoch ms. */
export interface RemoteProfile {
  profile: Omit<WireProfile, "startTime" | "endTime" | "logFullAt"> & { startTime: number; endTime: number; logFullAt?: number };
  serverTime: number;
}

/** A server's profile (one entry, no instance), or each up instance's behind a fleet's API. */
export interface RemoteProfiles {
  profiles: ({ instance?: string; profile: RemoteProfile["profile"] } | { instance: string; status: number; error: string })[];
  serverTime: number;
}

/** A wire event with its time in epoch ms. */
type AtEpochMs<E> = E extends { ts: string } ? Omit<E, "ts"> & { ts: number } : never;

/**
 * One message of the events stream, as the wire's (`WireEvent`) with times in epoch ms. `start`
 * carries the whole task; `wait` the task's waits now, oldest first (`[]` when none is left);
 * `reset` says events were missed that cannot be given again: read the list again.
 */
export type RemoteEvent =
  | { type: "start"; ts: number; proc: RemoteProc }
  | { type: "status"; ts: number; id: string; status: string }
  | AtEpochMs<Extract<WireEvent, { type: "attr" | "kill" | "done" | "reset" }>>
  | { type: "wait"; ts: number; id: string; waits: RemoteWait[] };

/**
 * Narrows `processes()`. Sent to the server as query parameters and applied again here, so an
 * original Go server (which ignores them) gives the same answer.
 */
export interface TaskFilter {
  /** Exact task name. */
  name?: string | undefined;
  /** Exact current status. */
  status?: string | undefined;
  /** Attributes that must equal these values; a non-string value matches its JSON text (`42`, `true`). */
  attrs?: Record<string, string> | undefined;
  /** Tasks waiting now on an operation of this kind (`fetch`, `http`, `redis`…), `*` for any. */
  waiting?: string | undefined;
}

/** @deprecated The same as `TaskFilter` (import it from "proclist/client"): one word, task, for what a server runs. */
export type ProcFilter = TaskFilter;
/** What `kill()` asks: the message recorded with it, and whether to force after `graceMs` (see `ProcessManager.kill`). */
export interface KillRequestOptions {
  message?: string | undefined;
  force?: boolean | undefined;
  /** The wait before forcing, in ms (default 5,000 on the server; 0 forces at once). Only with `force`. */
  graceMs?: number | undefined;
  /**
   * From a fleet: the boot id of the list the id was read from (`RemoteProc.boot`). The kill is then
   * refused (410, nothing done) if the instance restarted since, instead of reaching whatever task
   * now has that id. Only for a fleet's API (`serveFleet`, `--redis`).
   */
  boot?: string | undefined;
}

/** How a forced kill went: the rungs taken, in order, and whether the task ended within the wait (no times: as on the wire). */
export type RemoteForce = WireForce;

/** What `kill()` did: the task is cancelling (with the message in force); `force` when it was forced (a server without force, such as the Go original, leaves it out). */
export interface RemoteKilled {
  id: string;
  message?: string;
  force?: RemoteForce;
}

/** What `killWhere()` did on one server: the ids of the matching tasks now cancelling, and of those that cannot be killed. */
export interface RemoteKilledWhere {
  cancelled: string[];
  /** Started with forbidCancel: left running. */
  refused: string[];
  /** From a fleet: matching tasks not listed (each instance's answer is bounded). */
  omitted?: number;
  /** From a fleet: the instances whose outcome is unknown, and why (not listening, or no answer in time). */
  unanswered?: { instance: string; reason: string }[];
  /** Forced: how each kill went. */
  forced?: (RemoteForce & { id: string })[];
}
