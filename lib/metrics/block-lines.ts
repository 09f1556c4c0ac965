import type { MetricDef, Push } from "./collectors";
import type { ScrapeBuffer } from "./scrape-buffer";

/** Label values at most a sample has (name, a second label, `le`): the stride of `BlockLines.labels`. */
const STRIDE = 3;
const EMPTY = Buffer.alloc(0);

/**
 * One block's lines up to their values (`name{labels} `), escaped and encoded once, when its
 * samples first appear, and kept while they keep their labels: writing a changed block then costs
 * a copy of those bytes and its values' digits per sample.
 */
export class BlockLines {
  /** Each sample's label values, STRIDE apart (a missing one undefined), and suffix, as last written. */
  private labels: (string | undefined)[] = [];
  private suffixes: (string | undefined)[] = [];
  /** The samples' line starts one after another; sample i's ends at `ends[i]`. */
  private bytes: Buffer = EMPTY;
  private ends: number[] = [];

  constructor(private readonly metric: MetricDef) {}

  /** Writes the block's samples into `out`. */
  write(out: ScrapeBuffer, samples: (push: Push) => void): void {
    const { labels, suffixes, bytes, ends } = this;
    let i = 0;
    let stale = false;
    samples((values, value, suffix) => {
      if (!stale && i < ends.length && suffixes[i] === suffix && sameLabels(labels, i * STRIDE, values)) {
        out.slice(bytes, i === 0 ? 0 : ends[i - 1], ends[i]);
      } else {
        // A sample new here, or one whose labels moved: this line from its text, and the kept lines made again after.
        stale = true;
        out.text(lineStart(this.metric, values, suffix));
        out.room(32);
      }
      out.value(value);
      i++;
    });
    if (stale || i !== ends.length) this.keep(samples);
  }

  /** Encodes the lines' starts as the block's samples are now. */
  private keep(samples: (push: Push) => void): void {
    const labels: (string | undefined)[] = [];
    const suffixes: (string | undefined)[] = [];
    const starts: string[] = [];
    samples((values, _value, suffix) => {
      for (let k = 0; k < STRIDE; k++) labels.push(values[k]);
      suffixes.push(suffix);
      starts.push(lineStart(this.metric, values, suffix));
    });
    this.labels = labels;
    this.suffixes = suffixes;
    this.ends = [];
    let end = 0;
    for (const start of starts) this.ends.push((end += Buffer.byteLength(start)));
    this.bytes = Buffer.from(starts.join(""));
  }
}

function sameLabels(kept: readonly (string | undefined)[], at: number, values: readonly string[]): boolean {
  for (let k = 0; k < STRIDE; k++) if (kept[at + k] !== values[k]) return false;
  return true;
}

/** `name{label="value",…} ` (`name ` without labels): a line up to its value, label values escaped as the format says. */
function lineStart(m: MetricDef, values: readonly string[], suffix: string | undefined): string {
  if (values.length === 0) return (suffix === undefined ? m.name : m.name + suffix) + " ";
  let line = suffix === undefined ? m.name + "{" : m.name + suffix + "{";
  for (let i = 0; i < values.length; i++)
    line += (i === 0 ? "" : ",") + (i < m.labelNames.length ? m.labelNames[i] : "le") + '="' + escape(values[i]) + '"';
  return line + "} ";
}

function escape(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}
