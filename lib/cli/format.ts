import { cut } from "./table";
import { terminalSafe, TERMINAL_TEXT_MAX } from "./terminal-text";

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

/** How deep `formatValue` shows nested arrays and objects; deeper ones read as `[…]` and `{…}`. */
const VALUE_DEPTH = 16;

/**
 * An attribute value of any JSON type as one line of text safe for a terminal: strings as they
 * are and anything else as compact JSON, with control and bidi characters escaped (so a newline
 * cannot break a table nor an escape sequence reach the terminal), nesting past 16 levels cut and
 * the length bounded. Written without recursion past that depth, so any depth is shown.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return "";
  return terminalSafe(typeof value === "string" ? value : compactJson(value, VALUE_DEPTH, TERMINAL_TEXT_MAX + 1), TERMINAL_TEXT_MAX);
}

/** Compact JSON of a parsed JSON value, levels past `depth` shown as `[…]`/`{…}`, stopping once past `max` characters. */
function compactJson(value: unknown, depth: number, max: number): string {
  let out = "";
  const write = (v: unknown, level: number): void => {
    if (out.length > max) return;
    if (Array.isArray(v)) {
      if (level >= depth) return void (out += v.length === 0 ? "[]" : "[…]");
      out += "[";
      v.forEach((item, i) => {
        if (i > 0) out += ",";
        write(item, level + 1);
      });
      out += "]";
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v);
      if (level >= depth) return void (out += entries.length === 0 ? "{}" : "{…}");
      out += "{";
      entries.forEach(([key, item], i) => {
        out += `${i > 0 ? "," : ""}${JSON.stringify(key)}:`;
        write(item, level + 1);
      });
      out += "}";
    } else out += JSON.stringify(v) ?? String(v);
  };
  write(value, 0);
  return out;
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

/** Status text with the pending-cancel mark the list shows; `ignoringCancel` as ms says for how long it ignores its cancel. */
export function formatStatus(status: string, cancelling: boolean, ignoringCancel: boolean | number = false): string {
  const text = formatValue(status);
  if (typeof ignoringCancel === "number") return `${text} (ignoring its cancel for ${formatDuration(Math.max(0, ignoringCancel))})`;
  return ignoringCancel ? `${text} (ignoring its cancel)` : cancelling ? `${text} (cancelling)` : text;
}

/** Local calendar date, `2026-11-24`: shown beside times that are not today's. */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** A moment as the command shows it everywhere: `09:00:01.234` today, `2026-11-24 09:00:01.234` on another day. */
export function formatWhen(ms: number, now = Date.now()): string {
  return formatDate(ms) === formatDate(now) ? formatClock(ms) : `${formatDate(ms)} ${formatClock(ms)}`;
}
