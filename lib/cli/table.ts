import chalk from "chalk";
import Table from "cli-table3";

// No borders, two spaces between columns: the shape of `ps` and `kubectl get`, easy to grep and
// cut. cli-table3 measures wide and ANSI-coloured characters, which hand padding gets wrong.
const CHARS = {
  top: "", "top-mid": "", "top-left": "", "top-right": "",
  bottom: "", "bottom-mid": "", "bottom-left": "", "bottom-right": "",
  left: "", "left-mid": "", mid: "", "mid-mid": "", right: "", "right-mid": "", middle: "  ",
};

export interface TableOptions {
  /** Fixed widths per column (text past them is cut with an ellipsis); natural widths when absent. */
  widths?: number[];
  /** Make the header bold (only when colours are on). Default true. */
  boldHead?: boolean;
}

/** Renders rows under a header as aligned lines, trailing spaces trimmed. */
export function renderTable(head: string[], rows: string[][], options: TableOptions = {}): string[] {
  const table = new Table({
    head: options.boldHead === false ? head : head.map((h) => chalk.bold(h)),
    chars: CHARS,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0, compact: true },
    ...(options.widths === undefined ? {} : { colWidths: options.widths, wordWrap: false }),
  });
  table.push(...rows);
  return table.toString().split("\n").map((line) => line.trimEnd());
}
