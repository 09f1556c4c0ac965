import { performance } from "node:perf_hooks";

const origin = performance.timeOrigin;

/**
 * Wall-clock milliseconds since the epoch with sub-millisecond precision.
 * Date.now() is whole milliseconds, and real services have 50 µs phases.
 */
export function now(): number {
  return origin + performance.now();
}
