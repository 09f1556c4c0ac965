/**
 * Text from outside (a server, Redis, an error message) made safe to print on a terminal: every
 * character a terminal could act on is written as a visible escape, and the length is bounded.
 *
 * Escaped: C0 controls (U+0000-U+001F: ESC starts screen-clearing and title-setting sequences,
 * a newline forges a line), DEL (U+007F), C1 controls (U+0080-U+009F: U+009B is an 8-bit CSI many
 * terminals obey like ESC [), the bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E,
 * U+2066-U+2069: they reorder what follows, so a name can read as another) and the line and
 * paragraph separators (U+2028, U+2029). `\n`, `\r` and `\t` read as themselves; the rest as `\uXXXX`.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** The default bound, in UTF-16 units: long enough for any honest message or value, short of a flood. */
export const TERMINAL_TEXT_MAX = 2000;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` safe for a terminal: unsafe characters escaped (see above), and past `max` UTF-16 units
 * cut, saying how much was left out. Anything that is not a string is shown with `String()`.
 */
export function terminalSafe(text: unknown, max = TERMINAL_TEXT_MAX): string {
  let s: string;
  try {
    s = typeof text === "string" ? text : String(text);
  } catch {
    s = "(unprintable value)";
  }
  let more = "";
  if (s.length > max) {
    // Never split a surrogate pair: a lone half prints as a replacement character.
    let end = Math.max(0, max);
    if (end > 0 && /[\ud800-\udbff]/.test(s[end - 1])) end--;
    more = `… (${s.length - end} more characters)`;
    s = s.slice(0, end);
  }
  return s.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) + more;
}
