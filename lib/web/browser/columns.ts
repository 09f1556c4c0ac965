/**
 * A column of one of the page's tables, declared once: its header, the room it needs, and how
 * soon it gives way on a narrow screen. Tables lay out whatever list they are given, so a new
 * column (an instance, a host) is one more entry in a list.
 */
export interface ColumnSpec {
  key: string;
  header: string;
  /** The narrowest it may get, in px; the sum of the shown columns' minimums fits the table. */
  min: number;
  /** Its grid track's upper bound: `1fr` takes what is left, `9rem` stays that wide at most. */
  max: string;
  /**
   * 0 = always shown (the columns an operator needs at 360 px: id, age, status, cancel); higher
   * numbers are dropped first as the table narrows. A dropped column's value is folded into the
   * selected row's details.
   */
  priority: number;
  /** Right-aligned numbers. */
  numeric?: boolean;
}

/**
 * The columns that fit `width` px: the always-shown ones, then by rising priority (ties in the
 * order given) while their minimums fit. Answers them in the order given.
 */
export function fitColumns<C extends ColumnSpec>(columns: readonly C[], width: number): C[] {
  let used = 0;
  const kept = new Set<C>();
  const byPriority = [...columns].sort((a, b) => a.priority - b.priority);
  for (const column of byPriority) {
    if (column.priority > 0 && used + column.min > width) break;
    used += column.min;
    kept.add(column);
  }
  return columns.filter((c) => kept.has(c));
}

/** The CSS grid tracks of the shown columns. */
export function gridTracks(columns: readonly ColumnSpec[]): string {
  return columns.map((c) => `minmax(${c.min}px, ${c.max})`).join(" ");
}

/** A key naming a set of columns, to notice when a resize changed which ones are shown. */
export function columnsKey(columns: readonly ColumnSpec[]): string {
  return columns.map((c) => c.key).join(" ");
}

/** Header cells of a `<table>` for the shown columns. */
export function headerCells(columns: readonly ColumnSpec[]): HTMLTableCellElement[] {
  return columns.map((c) => {
    const th = document.createElement("th");
    th.className = `col-${c.key}${c.numeric === true ? " num" : ""}`;
    th.textContent = c.header;
    return th;
  });
}

/**
 * The width a `<table>`'s columns may take. The declared minimums are estimates (cell text varies),
 * so after a draw the table reports any sideways overflow, and the next layout has that much less.
 */
export class WidthBudget {
  private width = 0;
  private slack = 0;

  resized(width: number): void {
    if (width === this.width) return;
    this.width = width;
    this.slack = 0;
  }

  get px(): number {
    return this.width === 0 ? Infinity : this.width - this.slack;
  }

  /**
   * After a draw with `shown` columns: true when the box scrolls sideways and a narrower set of
   * columns exists, so the table must be laid out again; the budget then drops at least one column.
   */
  overflowed<C extends ColumnSpec>(box: HTMLElement, all: readonly C[], shown: readonly C[]): boolean {
    const over = box.scrollWidth - box.clientWidth;
    if (over <= 0 || this.width === 0 || !shown.some((c) => c.priority > 0)) return false;
    const used = shown.reduce((sum, c) => sum + c.min, 0);
    this.slack = Math.max(this.slack + over, this.width - used + 1);
    return columnsKey(fitColumns(all, this.px)) !== columnsKey(shown);
  }
}
