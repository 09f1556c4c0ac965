import type { WireNameStats } from "../wire/shapes";

/**
 * Per-name stats of several instances as one: counts and phase times add up, `max` is the
 * largest. Quantiles cannot be merged from quantiles: each is the highest instance's, an upper
 * bound of the fleet's (the README says so).
 */
export function mergeStats(parts: readonly WireNameStats[][]): WireNameStats[] {
  const byName = new Map<string, WireNameStats>();
  for (const stats of parts) {
    for (const s of stats) {
      const into = byName.get(s.name);
      if (into === undefined) {
        byName.set(s.name, {
          ...s,
          latencyMs: { ...s.latencyMs },
          phases: Object.fromEntries(Object.entries(s.phases).map(([k, p]) => [k, { ...p }])),
        });
        continue;
      }
      into.running += s.running;
      into.started += s.started;
      into.ended += s.ended;
      into.killed += s.killed;
      into.aborted += s.aborted;
      const l = into.latencyMs;
      l.count += s.latencyMs.count;
      l.p50 = Math.max(l.p50, s.latencyMs.p50);
      l.p90 = Math.max(l.p90, s.latencyMs.p90);
      l.p99 = Math.max(l.p99, s.latencyMs.p99);
      l.max = Math.max(l.max, s.latencyMs.max);
      for (const [status, p] of Object.entries(s.phases)) {
        const phase = (into.phases[status] ??= { count: 0, totalMs: 0 });
        phase.count += p.count;
        phase.totalMs = Math.round((phase.totalMs + p.totalMs) * 1000) / 1000;
      }
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
