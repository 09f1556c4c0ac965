import type { ProcessManager } from "../../core/manager";
import { handle, type Handler } from "../responses/handler";
import { checkQuery } from "../inputs/checks";
import { sendJsonText, serverTime } from "../responses/respond";
import type { WireLoop, WireNameStats, WireProfiling } from "../../wire/shapes";
import { runningProfile } from "../../profile/profiler";
import { loopWatch } from "../../core/loop-watch";
import { formatTime } from "../responses/time";

/**
 * `GET /stats`: per task name, running / started / ended / killed / aborted counts, latency
 * quantiles over ended tasks and the time spent in each status. `name` narrows it. `loop`:
 * the event loop's delay over the last minute and the blocks blamed per name (all names).
 */
export function statsRoute(manager: ProcessManager): Handler {
  return handle((req, res) => {
    checkQuery("statsQuery", req.query);
    const names = req.query.name === undefined ? undefined : new Set(([] as string[]).concat(req.query.name));
    sendJsonText(res, 200, statsJson(manager, names));
  });
}

/** The `WireStats` JSON for the names asked (all when undefined): what `GET /stats` and a fleet instance answer. */
export function statsJson(manager: ProcessManager, names?: ReadonlySet<string>): string {
  const profiling = wireProfiling(manager, names);
  return (
    `{"stats":${JSON.stringify(wireStats(manager, names))},"loop":${JSON.stringify(wireLoop(manager))}` +
    (profiling === undefined ? "" : `,"profiling":${JSON.stringify(profiling)}`) +
    `,"serverTime":"${serverTime()}"}`
  );
}

/** Tasks listed at most in `profiling`: the busiest, which is what a monitor shows. */
const MAX_PROFILING_TASKS = 1000;

/**
 * While a CPU profile runs: this manager's running tasks (of the names asked) and how long each
 * one's code was current so far, most first. Read from the profile's task log as it stands, so
 * it costs nothing to the profile and nothing at all when none runs.
 */
export function wireProfiling(manager: ProcessManager, names?: ReadonlySet<string>): WireProfiling | undefined {
  const profile = runningProfile();
  if (profile === undefined) return undefined;
  const tasks: WireProfiling["tasks"] = [];
  for (const [logged, ms] of profile.log.onCpu)
    if (logged.owner === manager && (names === undefined || names.has(logged.name)) && logged.task.deref()?.running === true)
      tasks.push({ id: logged.id, name: logged.name, cpuMs: micro(ms) });
  tasks.sort((a, b) => b.cpuMs - a.cpuMs);
  return { startTime: formatTime(profile.startTime), endsAt: formatTime(profile.endsAt), tasks: tasks.slice(0, MAX_PROFILING_TASKS) };
}

/** The manager's stats in wire form, for the names asked (all when undefined). */
export function wireStats(manager: ProcessManager, names?: ReadonlySet<string>): WireNameStats[] {
  const stats = manager.stats.snapshot().filter((s) => names === undefined || names.has(s.name));
  // Copies, rounded to microseconds (the wire's precision; more digits are float noise).
  return stats.map((s) => ({
    ...s,
    latencyMs: {
      count: s.latencyMs.count,
      p50: micro(s.latencyMs.p50),
      p90: micro(s.latencyMs.p90),
      p99: micro(s.latencyMs.p99),
      max: micro(s.latencyMs.max),
    },
    phases: Object.fromEntries(Object.entries(s.phases).map(([status, p]) => [status, { count: p.count, totalMs: micro(p.totalMs) }])),
  }));
}

function micro(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The event loop's health in wire form: the process's delay and blocks, the manager's blame per name. */
export function wireLoop(manager: ProcessManager): WireLoop {
  const delay = loopWatch.delay();
  const blocked: WireLoop["blocked"] = [];
  manager.blocks.forEach((name, totals) => blocked.push({ name, count: totals.count, seconds: micro(totals.seconds) }));
  return {
    delayMs: { p50: micro(delay.p50Ms), p99: micro(delay.p99Ms), max: micro(delay.maxMs), windowMs: Math.round(delay.windowMs) },
    blocked,
    unattributed: { count: loopWatch.unattributed.count, seconds: micro(loopWatch.unattributed.seconds) },
    recentBlocks: loopWatch.recentBlocks().map((block) => ({ ...block, endTime: formatTime(block.endTime), ms: micro(block.ms) })),
  };
}
