import type { KillRequestOptions, RemoteForce } from "../client/types";
import type { KillWhereOptions } from "./commands/kill-where";
import { formatDuration, formatValue } from "./format";

/** A kill's message and force options as the client sends them. */
export function killRequestOf(options: KillWhereOptions): KillRequestOptions {
  return options.force === true ? { message: options.message, force: true, graceMs: options.grace } : { message: options.message };
}

/** One line saying how a forced kill went: ended on its cancel, forced (which rungs), or still running. */
export function describeForce(id: string, force: RemoteForce): string {
  const grace = formatDuration(force.graceMs);
  if (force.cooperated)
    return `task ${formatValue(id)} ended${force.outcome === undefined ? "" : ` ${force.outcome}`} on its cancel, within the grace (${grace}): nothing forced`;
  const rungs = force.rungs.length === 0 ? "nothing to force" : `forced: ${force.rungs.map((r) => RUNG_TEXT[r]).join(", ")}`;
  if (force.ended)
    return `task ${formatValue(id)} still running after ${grace}; ${rungs}; it ended${force.outcome === undefined ? "" : ` ${force.outcome}`}`;
  return `task ${formatValue(id)} still running after ${grace}; ${rungs}; it still runs: marked as ignoring its cancel`;
}

const RUNG_TEXT: Record<RemoteForce["rungs"][number], string> = {
  request: "request connection closed",
  waits: "awaited operations aborted",
  worker: "worker thread terminated",
};
