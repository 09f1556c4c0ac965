import type { ProcessManager } from "../../core/manager";
import { handle, type Handler } from "../handler";
import { checkQuery } from "../inputs";
import { sendJsonText, serverTime } from "../respond";
import type { WireNameStats } from "../../wire/shapes";

/**
 * `GET /stats`: per task name, running / started / ended / killed / aborted counts, latency
 * quantiles over completed tasks and the time spent in each status. `name` narrows it.
 */
export function statsRoute(manager: ProcessManager): Handler {
  return handle((req, res) => {
    checkQuery("statsQuery", req.query);
    const names = req.query.name === undefined ? undefined : new Set(([] as string[]).concat(req.query.name));
    const stats = manager.stats.snapshot().filter((s) => names === undefined || names.has(s.name));
    // Copies, rounded to microseconds (the wire's precision; more digits are float noise).
    const wire: WireNameStats[] = stats.map((s) => ({
      ...s,
      latencyMs: { count: s.latencyMs.count, p50: micro(s.latencyMs.p50), p90: micro(s.latencyMs.p90), p99: micro(s.latencyMs.p99), max: micro(s.latencyMs.max) },
      phases: Object.fromEntries(Object.entries(s.phases).map(([status, p]) => [status, { count: p.count, totalMs: micro(p.totalMs) }])),
    }));
    sendJsonText(res, 200, `{"stats":${JSON.stringify(wire)},"serverTime":"${serverTime()}"}`);
  });
}

function micro(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
