/** One line of the results table. */
export interface Row {
  figure: string;
  measured: string;
  reference: string;
  target: string;
  /** "met", "missed", or "" for figures that have no target. */
  verdict: "met" | "missed" | "";
}

/** What every group gets: the mode and how many fresh processes to take medians over. */
export interface GroupContext {
  quick: boolean;
  runs: number;
  /** Progress for the operator, on stderr so that stdout is the table alone. */
  log(message: string): void;
}

export type Group = (context: GroupContext) => Promise<Row[]>;

/** Formats a number with thousands separators and the given decimals. */
export function fmt(value: number, decimals = 0): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function verdict(ok: boolean): "met" | "missed" {
  return ok ? "met" : "missed";
}

/** The table as GitHub markdown, columns padded so it also reads well in a terminal. */
export function renderTable(rows: readonly Row[]): string {
  return markdown(
    ["figure", "measured", "reference", "target", "result"],
    rows.map((r) => [r.figure, r.measured, r.reference, r.target, r.verdict]),
  );
}

function markdown(header: readonly string[], cells: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]) => "| " + c.map((v, i) => v.padEnd(widths[i])).join(" | ") + " |";
  return [line(header), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...cells.map(line)].join("\n");
}

/** One Node release's rows, for the side-by-side table. */
export interface Column {
  label: string;
  rows: readonly Row[];
}

/**
 * The same figures measured under several Node releases, one column each, as GitHub markdown.
 * A figure with a target shows its verdict in each column; reference and target come from the
 * first column that has the figure.
 */
export function renderMatrix(columns: readonly Column[]): string {
  const figures: string[] = [];
  for (const column of columns) for (const row of column.rows) if (!figures.includes(row.figure)) figures.push(row.figure);
  const header = ["figure", ...columns.map((c) => c.label), "reference", "target"];
  const cells = figures.map((figure) => {
    const found = columns.map((c) => c.rows.find((r) => r.figure === figure));
    const first = found.find((r) => r !== undefined)!;
    return [
      figure,
      ...found.map((r) => (r === undefined ? "—" : r.verdict === "" ? r.measured : `${r.measured} (${r.verdict})`)),
      first.reference,
      first.target,
    ];
  });
  return markdown(header, cells);
}
