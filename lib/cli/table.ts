import { bold } from "./style";

// No borders, two spaces between columns: the shape of `ps` and `kubectl get`, easy to grep and
// cut. Widths are measured with string-width, so wide characters (CJK, emoji) line up; it is
// loaded on the first cell that is not plain ASCII (its Unicode tables cost more than the rest
// of `proclist ls` at start-up).
// (cli-table3 did this first, but its span-conflict check is quadratic in rows: 24 s for 10,000.)
const GAP = "  ";

export interface TableOptions {
  /** Fixed widths per column (text past them is cut with an ellipsis); natural widths when absent. */
  widths?: number[];
  /** Make the header bold (only when colours are on). Default true. */
  boldHead?: boolean;
}

/** Renders rows under a header as aligned lines, trailing spaces trimmed. Cells must be plain text. */
export function renderTable(head: string[], rows: string[][], options: TableOptions = {}): string[] {
  const widths = options.widths ?? naturalWidths(head, rows);
  const line = (cells: string[]) =>
    widths
      .map((width, i) => pad(cut(cells[i] ?? "", width), width))
      .join(GAP)
      .trimEnd();
  const header = line(head);
  return [options.boldHead === false ? header : bold(header), ...rows.map(line)];
}

/** The widest cell of each column, header included. */
export function naturalWidths(head: string[], rows: string[][]): number[] {
  return head.map((h, i) => {
    let max = width(h);
    for (const row of rows) max = Math.max(max, width(row[i] ?? ""));
    return max;
  });
}

let unicodeWidth: ((text: string) => number) | undefined;

function stringWidth(text: string): number {
  unicodeWidth ??= (require("string-width") as typeof import("string-width")).default;
  return unicodeWidth(text);
}

/** Display width; plain ASCII (nearly every cell) skips the Unicode tables. */
function width(text: string): number {
  return /^[\x20-\x7e]*$/.test(text) ? text.length : stringWidth(text);
}

function pad(text: string, to: number): string {
  const w = width(text);
  return w >= to ? text : text + " ".repeat(to - w);
}

/** Cuts to a display width, ending with an ellipsis; never splits a wide character or a surrogate pair. */
export function cut(text: string, to: number): string {
  if (width(text) <= to) return text;
  if (to <= 0) return "";
  let out = "";
  let used = 0;
  for (const char of text) {
    const w = stringWidth(char);
    if (used + w > to - 1) break;
    out += char;
    used += w;
  }
  return out + "…";
}
