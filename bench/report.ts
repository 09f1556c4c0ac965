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
  const header = ["figure", "measured", "reference", "target", "result"];
  const cells = rows.map((r) => [r.figure, r.measured, r.reference, r.target, r.verdict]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => "| " + c.map((v, i) => v.padEnd(widths[i])).join(" | ") + " |";
  return [line(header), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...cells.map(line)].join("\n");
}
