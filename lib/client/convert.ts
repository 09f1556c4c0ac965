import type {
  WireEvent,
  WireFinishedProc,
  WireHistory,
  WireProc,
  WireProfileAnswer,
  WireFleetProfileAnswer,
  WireStats,
} from "../wire/shapes";
import { time, type Origin } from "./decode";
import { InvalidResponseError } from "./errors";
import type { RemoteEvent, RemoteFinishedProc, RemoteHistory, RemoteProc, RemoteProfile, RemoteProfiles, RemoteStats } from "./types";

// Wire answers (already schema-checked) become the client's types: times as epoch ms, and the
// fields the Go original omits filled in, so callers never meet an undefined required field.

/** A live task: times as epoch ms, `attrs` and `cancelling` filled in when the Go original left them out. */
export function toProc(origin: Origin, wire: WireProc, at: string): RemoteProc {
  const proc: RemoteProc = {
    id: wire.id,
    attrs: wire.attrs ?? {},
    procTime: time(origin, wire.procTime, `${at}.procTime`),
    statusTime: time(origin, wire.statusTime, `${at}.statusTime`),
    status: wire.status,
    cancelling: wire.cancelling ?? false,
  };
  if (wire.name !== undefined) proc.name = wire.name;
  if (wire.parent !== undefined) proc.parent = wire.parent;
  if (wire.forbidCancel !== undefined) proc.forbidCancel = wire.forbidCancel;
  if (wire.ignoringCancelSince !== undefined)
    proc.ignoringCancelSince = time(origin, wire.ignoringCancelSince, `${at}.ignoringCancelSince`);
  if (wire.traceId !== undefined) proc.traceId = wire.traceId;
  if (wire.spanId !== undefined) proc.spanId = wire.spanId;
  if (wire.instance !== undefined) proc.instance = wire.instance;
  if (wire.boot !== undefined) proc.boot = wire.boot;
  if (wire.waits !== undefined)
    proc.waits = wire.waits.map((wait, i) => ({
      kind: wait.kind,
      target: wait.target,
      since: time(origin, wait.since, `${at}.waits.${i}.since`),
    }));
  return proc;
}

/** A finished task: a proc plus its outcome, end time and duration. */
export function toFinishedProc(origin: Origin, wire: WireFinishedProc, at: string): RemoteFinishedProc {
  const proc: RemoteFinishedProc = {
    ...toProc(origin, wire, at),
    outcome: wire.outcome,
    endTime: time(origin, wire.endTime, `${at}.endTime`),
    durationMs: wire.durationMs,
  };
  if (wire.killedBy !== undefined) proc.killedBy = wire.killedBy;
  if (wire.error !== undefined) proc.error = wire.error;
  return proc;
}

/** Whether `GET /procs/:id` answered a finished task (only those carry an outcome). */
export function isFinishedWire(wire: WireProc): wire is WireFinishedProc {
  return "outcome" in wire;
}

/** A timeline; `dropped` is 0 when the server (the Go original, say) sent none. */
export function toHistory(origin: Origin, wire: WireHistory): RemoteHistory {
  const history: RemoteHistory = {
    history: wire.history.map((entry, i) => ({ ts: time(origin, entry.ts, `history.${i}.ts`), status: entry.status })),
    serverTime: time(origin, wire.serverTime, "serverTime"),
    dropped: wire.dropped ?? 0,
  };
  if (wire.traceUrl !== undefined) history.traceUrl = wire.traceUrl;
  if (wire.waits !== undefined)
    history.waits = wire.waits.map((wait, i) => ({ ...wait, since: time(origin, wait.since, `waits.${i}.since`) }));
  if (wire.droppedWaits !== undefined) history.droppedWaits = wire.droppedWaits;
  return history;
}

/** Stats rows pass as they are (numbers already); only the server time is converted. */
export function toStats(origin: Origin, wire: WireStats): RemoteStats {
  const stats: RemoteStats = { stats: wire.stats, serverTime: time(origin, wire.serverTime, "serverTime") };
  if (wire.loop !== undefined) {
    const recentBlocks = wire.loop.recentBlocks.map((block, i) => ({
      ...block,
      endTime: time(origin, block.endTime, `loop.recentBlocks.${i}.endTime`),
    }));
    stats.loop = { ...wire.loop, recentBlocks };
  }
  if (wire.profiling !== undefined) {
    const { startTime, endsAt, tasks } = wire.profiling;
    stats.profiling = {
      startTime: time(origin, startTime, "profiling.startTime"),
      endsAt: time(origin, endsAt, "profiling.endsAt"),
      tasks,
    };
  }
  return stats;
}

/** A server's or a fleet API's profile answer: each table, named by its instance on a fleet. */
export function toProfiles(origin: Origin, wire: WireProfileAnswer | WireFleetProfileAnswer): RemoteProfiles {
  const serverTime = time(origin, wire.serverTime, "serverTime");
  if (!("profiles" in wire)) return { profiles: [{ profile: toProfile(origin, wire).profile }], serverTime };
  return {
    profiles: wire.profiles.map(({ instance, profile, status, error }) =>
      profile === undefined
        ? { instance, status: status ?? 502, error: error ?? `answered ${status ?? "nothing"}` }
        : { instance, profile: toProfile(origin, { profile, serverTime: wire.serverTime }).profile },
    ),
    serverTime,
  };
}

export function toProfile(origin: Origin, wire: WireProfileAnswer): RemoteProfile {
  const { startTime, endTime, logFullAt, ...rest } = wire.profile;
  const profile: RemoteProfile["profile"] = {
    ...rest,
    startTime: time(origin, startTime, "profile.startTime"),
    endTime: time(origin, endTime, "profile.endTime"),
  };
  if (logFullAt !== undefined) profile.logFullAt = time(origin, logFullAt, "profile.logFullAt");
  return { profile, serverTime: time(origin, wire.serverTime, "serverTime") };
}

/** Fields each event type must carry: the shared schema lists them all as optional. */
const REQUIRED: Record<WireEvent["type"], readonly string[]> = {
  start: ["proc"],
  status: ["id", "status"],
  attr: ["id", "key", "deleted"],
  kill: ["id"],
  done: ["id", "outcome", "status", "durationMs"],
  reset: ["reason"],
  wait: ["id", "waits"],
};

/** One events-stream message, checked for the fields its type needs (the schema lists them all as optional). */
export function toEvent(origin: Origin, wire: WireEvent): RemoteEvent {
  const missing = REQUIRED[wire.type].find((field) => !(field in wire));
  if (missing !== undefined) throw new InvalidResponseError(origin.method, origin.url, missing, `is missing from a ${wire.type} event`);
  const ts = time(origin, wire.ts, "ts");
  switch (wire.type) {
    case "start":
      return { type: "start", ts, proc: toProc(origin, wire.proc, "proc") };
    case "status":
      return { type: "status", ts, id: wire.id, status: wire.status };
    case "attr":
      return wire.deleted || !("value" in wire)
        ? { type: "attr", ts, id: wire.id, key: wire.key, deleted: wire.deleted }
        : { type: "attr", ts, id: wire.id, key: wire.key, value: wire.value, deleted: false };
    case "kill": {
      const event: RemoteEvent = { type: "kill", ts, id: wire.id };
      if (wire.message !== undefined) event.message = wire.message;
      if (wire.by !== undefined) event.by = wire.by;
      return event;
    }
    case "done": {
      const event: RemoteEvent = { type: "done", ts, id: wire.id, outcome: wire.outcome, status: wire.status, durationMs: wire.durationMs };
      if (wire.error !== undefined) event.error = wire.error;
      return event;
    }
    case "reset":
      return { type: "reset", ts, reason: wire.reason };
    case "wait":
      return {
        type: "wait",
        ts,
        id: wire.id,
        waits: wire.waits.map((wait, i) => ({ kind: wait.kind, target: wait.target, since: time(origin, wait.since, `waits.${i}.since`) })),
      };
  }
}
