import { InvalidArgumentError } from "commander";
import type { KillRequestOptions, RemoteForce } from "../client/types";
import { MAX_GRACE_MS } from "../core/force";
import { formatDuration, formatValue } from "./format";

/** The options of the kill commands that say how to kill: `--message`, `--force`, `--grace`. */
export interface KillFlags {
  message?: string;
  force?: boolean;
  grace?: number;
}

/** A kill's message and force options as the client sends them. */
export function killRequestOf(options: KillFlags): KillRequestOptions {
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

/** commander's parser for `--grace`: `2s`, `500ms`, `1.5s`, `1m` or `0`, as whole milliseconds. */
export function graceMs(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
  const ms = match === null ? NaN : Number(match[1]) * (match[2] === "m" ? 60_000 : match[2] === "s" ? 1000 : 1);
  if (match !== null && match[2] === undefined && ms !== 0) throw new InvalidArgumentError(`give --grace a unit: ${value}s or ${value}ms`);
  if (!Number.isInteger(ms) || ms > MAX_GRACE_MS)
    throw new InvalidArgumentError(`expected a grace such as 2s, 500ms or 0 (at most 1 hour, in whole ms), got ${JSON.stringify(value)}`);
  return ms;
}
