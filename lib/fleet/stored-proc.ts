import type { WireProc } from "../wire/shapes";
import { validateWire } from "../wire/schemas";
import { MAX_ROW_BYTES } from "./bounds";

/**
 * One value of an instance's task hash, checked before it goes into an answer: Redis is shared,
 * so a value may be anything. It must be JSON of the wire's task shape, and say it is a task of
 * the instance whose hash holds it, and be no longer than an instance writes (MAX_ROW_BYTES).
 * Undefined otherwise.
 */
export function readStoredProc(instance: string, value: Buffer): WireProc | undefined {
  if (value.length > MAX_ROW_BYTES) return undefined;
  let proc: unknown;
  try {
    proc = JSON.parse(value.toString("utf8"));
  } catch {
    return undefined;
  }
  return checkFleetProc(instance, proc);
}

/** A task parsed from an instance's answer or its hash, when it is of the wire's shape and says it is a task of `instance`. */
export function checkFleetProc(instance: string, proc: unknown): WireProc | undefined {
  if (!validateWire.proc(proc)) return undefined;
  const wire = proc as WireProc;
  return wire.instance === instance && wire.id.startsWith(`${instance}/`) ? wire : undefined;
}
