import type { MetricDef } from "./collectors";

/** Escaped label values kept between scrapes; past this many, the cache starts over (names and statuses are bounded, so rarely). */
const MAX_CACHED = 100_000;

/**
 * Writes metrics in the Prometheus text format 0.0.4. By hand, not through prom-client's
 * registry: at 1,000 names × 20 statuses prom-client took ~380 ms of CPU per scrape (it escapes
 * every label value and builds label objects each time); this keeps each value's escaped text
 * between scrapes and joins strings, which is what keeps a scrape within a few milliseconds.
 */
export class ExpositionWriter {
  private readonly escaped = new Map<string, string>();

  write(metrics: readonly MetricDef[]): string {
    let text = "";
    for (const m of metrics) {
      text += `# HELP ${m.name} ${m.help}\n# TYPE ${m.name} ${m.type}\n`;
      const names = m.labelNames;
      m.collect((values, value, suffix) => {
        let line = suffix === undefined ? m.name + "{" : m.name + suffix + "{";
        for (let i = 0; i < values.length; i++) line += (i === 0 ? "" : ",") + (i < names.length ? names[i] : "le") + '="' + this.escape(values[i]) + '"';
        text += line + "} " + formatValue(value) + "\n";
      });
    }
    return text;
  }

  private escape(value: string): string {
    let out = this.escaped.get(value);
    if (out === undefined) {
      if (this.escaped.size >= MAX_CACHED) this.escaped.clear();
      out = value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
      this.escaped.set(value, out);
    }
    return out;
  }
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
