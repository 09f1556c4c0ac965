import type { ProcessManager } from "../../core/manager";
import { handle, type Handler } from "../responses/handler";
import { checkQuery } from "../inputs/checks";
import { sendJsonText, serverTime } from "../responses/respond";
import type { WireLoop, WireNameStats } from "../../wire/shapes";
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
    sendJsonText(
      res,
      200,
      `{"stats":${JSON.stringify(wireStats(manager, names))},"loop":${JSON.stringify(wireLoop(manager))},"serverTime":"${serverTime()}"}`,
    );
  });
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
