import type { WireForce } from "./shapes";

/**
 * Only the wire's fields of a forced kill's result, in the wire's order: from the core's
 * `ForceResult` (which also names the task) or from a checked answer (which may carry more).
 * What the server sends, the fleet relays and the client returns.
 */
export function forceFields(result: WireForce): WireForce {
  const { graceMs, ended, outcome, cooperated, rungs, ignoringCancel } = result;
  return { graceMs, ended, ...(outcome === undefined ? {} : { outcome }), cooperated, rungs, ignoringCancel };
}
