const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads an RFC 3339 time into epoch ms with sub-ms precision. proclist writes UTC with
 * microseconds; the Go original writes local offsets and up to nine digits, which `Date.parse`
 * would cut to milliseconds. Returns NaN for anything else (the schemas reject it first).
 */
export function parseTime(text: string): number {
  const match = RFC3339.exec(text);
  if (match === null) return NaN;
  const whole = Date.parse(match[1] + match[3]);
  return match[2] === undefined ? whole : whole + Number(`0.${match[2]}`) * 1000;
}

/** Formats epoch ms as RFC 3339 UTC with microseconds, the way a proclist server does. */
export function formatTime(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.round((ms - whole) * 1000);
  const iso = new Date(whole + (micros === 1000 ? 1 : 0)).toISOString();
  return `${iso.slice(0, 23)}${String(micros === 1000 ? 0 : micros).padStart(3, "0")}Z`;
}
