/** The date-time part ("2026-11-24T09:00:00.") of the last second formatted: most times share it. */
let cachedSecond = NaN;
let cachedPrefix = "";

/**
 * Formats epoch milliseconds (sub-ms precision) as RFC 3339 UTC with microseconds, the form the
 * wire uses: "2026-11-24T09:00:00.123456Z". `toISOString` only runs once per new second.
 */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) ms = 0;
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    cachedSecond = second;
  }
  const micros = Math.floor((ms - second * 1000) * 1000);
  return cachedPrefix + (1_000_000 + micros).toString().slice(1) + "Z";
}
