import { cut } from "./table";

/** Durations as people read them: `0ms`, `350µs`, `12.5ms`, `3.20s`, `4m05s`, `2h07m`, `3d04h`. Negative (clock skew) reads as 0. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0.0005) return "0ms";
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 1000) return ms < 10 ? `${ms.toFixed(1)}ms` : `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return s < 10 ? `${s.toFixed(2)}s` : `${s.toFixed(1)}s`;
  const two = (n: number) => String(Math.floor(n)).padStart(2, "0");
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${two((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d${two((s % 86400) / 3600)}h`;
}

/** A refresh interval: `250ms`, `1s`, `2.5s`. */
export function formatInterval(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${ms / 1000}s`;
}

/**
 * An attribute value of any JSON type as one line of text: strings as they are (control
 * characters escaped, so a newline cannot break a table), anything else as compact JSON.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return /[\u0000-\u001f\u007f]/.test(value) ? JSON.stringify(value).slice(1, -1) : value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Cuts text to `max` columns of display width, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return max === Infinity ? text : cut(text, max);
}

/** Local wall-clock time with milliseconds, `09:00:01.234`: what an operator compares with their logs. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

/** Status text with the pending-cancel mark the list shows. */
export function formatStatus(status: string, cancelling: boolean): string {
  const text = formatValue(status);
  return cancelling ? `${text} (cancelling)` : text;
}

/** Local calendar date, `2026-11-24`: shown beside times that are not today's. */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}
