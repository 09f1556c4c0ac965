/**
 * The date-time parts ("2026-11-24T09:00:00.") of the last two seconds formatted: most times share
 * one, and an entry formats two (its start and its last change, usually in different seconds).
 */
const seconds = [NaN, NaN];
const prefixes = ["", ""];
let older = 0;

/**
 * Formats epoch milliseconds (sub-ms precision) as RFC 3339 UTC with microseconds, the form the
 * wire uses: "2026-11-24T09:00:00.123456Z". `toISOString` only runs once per new second.
 */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) ms = 0;
  const second = Math.floor(ms / 1000);
  const micros = Math.floor((ms - second * 1000) * 1000);
  return prefixOf(second) + (1_000_000 + micros).toString().slice(1) + "Z";
}

function prefixOf(second: number): string {
  if (seconds[0] === second) return hit(0);
  if (seconds[1] === second) return hit(1);
  const slot = older;
  older = 1 - slot;
  seconds[slot] = second;
  prefixes[slot] = new Date(second * 1000).toISOString().slice(0, 20);
  return prefixes[slot];
}

function hit(slot: number): string {
  older = 1 - slot;
  return prefixes[slot];
}
