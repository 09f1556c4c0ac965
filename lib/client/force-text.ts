import type { WireForce } from "../wire/shapes";

/**
 * One sentence saying how a forced kill went: ended on its cancel, forced (which rungs), or still
 * running. `id` as the caller shows it (the CLI makes it terminal-safe), durations in its style.
 */
export function describeForce(id: string, force: WireForce, duration: (ms: number) => string): string {
  const grace = duration(force.graceMs);
  const how = force.outcome === undefined ? "" : ` ${force.outcome}`;
  if (force.cooperated) return `task ${id} ended${how} on its cancel, within the grace (${grace}): nothing forced`;
  const rungs = force.rungs.length === 0 ? "nothing to force" : `forced: ${force.rungs.map((r) => RUNG_TEXT[r]).join(", ")}`;
  if (force.ended) return `task ${id} still running after ${grace}; ${rungs}; it ended${how}`;
  return `task ${id} still running after ${grace}; ${rungs}; it still runs: marked as ignoring its cancel`;
}

const RUNG_TEXT: Record<WireForce["rungs"][number], string> = {
  request: "request connection closed",
  waits: "awaited operations aborted",
  worker: "worker thread terminated",
};
