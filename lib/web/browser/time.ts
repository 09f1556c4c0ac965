/**
 * Epoch ms of an RFC 3339 time such as `2026-11-24T09:00:00.123456Z`, keeping the microseconds
 * that `Date.parse` would drop (durations of fast phases are fractions of a millisecond).
 */
export function parseTime(text: string): number {
  const m = /^(.+T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (m === null) return Date.parse(text);
  const whole = Date.parse(m[1] + m[3]);
  return m[2] === undefined ? whole : whole + Number("0." + m[2]) * 1000;
}

/** A duration the way a person reads it: `0.42 ms`, `120 ms`, `4.2 s`, `3m 05s`, `2h 01m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.floor(s);
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${pad(whole % 60)}s`;
  if (whole < 86400) return `${Math.floor(whole / 3600)}h ${pad(Math.floor(whole / 60) % 60)}m`;
  return `${Math.floor(whole / 86400)}d ${pad(Math.floor(whole / 3600) % 24)}h`;
}

/** A live age, redrawn once a second: finer than a second would only flicker. */
export function formatAge(ms: number): string {
  return ms < 1000 ? "<1 s" : formatDuration(ms);
}

/** Local wall-clock time with milliseconds, e.g. `09:00:00.123`. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
