import { describeForce as describeWith } from "../client/force-text";
import type { KillRequestOptions, RemoteForce } from "../client/types";
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
  return describeWith(formatValue(id), force, formatDuration);
}
