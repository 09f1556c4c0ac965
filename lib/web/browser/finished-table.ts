import { columnsKey, fitColumns, headerCells, WidthBudget, type ColumnSpec } from "./columns";
import { el, setText } from "./dom";
import type { FinishedTask, Store } from "./store";
import { formatClock, formatDuration } from "./time";

/** The columns of free text, which share the width the others leave. */
const TEXT_COLUMNS = new Set(["name", "status", "who"]);
/** A cell's left and right padding (style.css), outside its max-width. */
const CELL_PADDING = 16;

/** How many finished tasks are drawn; the store keeps more for the timeline and the search. */
const SHOWN = 200;

interface FinishedColumn extends ColumnSpec {
  cell(f: FinishedTask): HTMLTableCellElement;
}

/**
 * The finished table's columns: what ended and how first. At 360 px id, name, outcome and the last
 * status stay (the rest is in the timeline once the row is clicked); the end time and duration
 * come next, then who killed it or its error.
 */
export const FINISHED_COLUMNS: FinishedColumn[] = [
  { key: "id", header: "id", min: 72, max: "", priority: 0, cell: (f) => td("id", f.id, f.id) },
  { key: "name", header: "name", min: 80, max: "", priority: 1, cell: (f) => td("name", f.name, f.name) },
  {
    key: "outcome",
    header: "outcome",
    min: 72,
    max: "",
    priority: 0,
    cell: (f) => withChild(el("span", `outcome ${f.outcome}`, f.outcome)),
  },
  {
    key: "duration",
    header: "duration",
    min: 64,
    max: "",
    priority: 3,
    numeric: true,
    cell: (f) => td("num", formatDuration(f.durationMs)),
  },
  { key: "status", header: "last status", min: 100, max: "", priority: 1, cell: (f) => td("status", f.status, statusTitle(f)) },
  {
    key: "who",
    header: "killed by / error",
    min: 110,
    max: "",
    priority: 4,
    cell: (f) => td("who", f.killedBy ?? f.error ?? "", f.error === undefined ? "" : `error: ${f.error}`),
  },
  { key: "ended", header: "ended", min: 92, max: "", priority: 2, numeric: true, cell: (f) => td("num", formatClock(f.end)) },
];

export interface FinishedDom {
  body: HTMLTableSectionElement;
  header: HTMLTableRowElement;
  scroll: HTMLElement;
  count: HTMLElement;
  empty: HTMLElement;
  outcome: HTMLSelectElement;
  search: HTMLInputElement;
}

/**
 * The finished tasks, newest first, with outcome, duration and who cancelled them; filtered by
 * outcome and by a search over id, name, status, attributes and who killed it. Rows are keyed and reused.
 */
export class FinishedTable {
  private dirty = true;
  private readonly rows = new Map<string, HTMLTableRowElement>();
  private columns: FinishedColumn[] = [];
  private readonly budget = new WidthBudget();

  constructor(
    private readonly store: Store,
    private readonly dom: FinishedDom,
    select: (id: string) => void,
  ) {
    dom.body.addEventListener("click", (e) => {
      const id = (e.target as HTMLElement).closest<HTMLElement>("[data-id]")?.dataset.id;
      if (id !== undefined) select(id);
    });
    const changed = () => {
      this.dirty = true;
      this.draw();
    };
    dom.outcome.addEventListener("change", changed);
    dom.search.addEventListener("input", changed);
    new ResizeObserver(() => {
      this.budget.resized(dom.scroll.clientWidth);
      changed();
    }).observe(dom.scroll);
  }

  invalidate(): void {
    this.dirty = true;
  }

  draw(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const columns = fitColumns(FINISHED_COLUMNS, this.budget.px);
    if (columnsKey(columns) !== columnsKey(this.columns)) {
      this.columns = columns;
      this.rows.clear();
      this.dom.header.replaceChildren(...headerCells(columns));
    }
    this.shareTextRoom(columns);
    const outcome = this.dom.outcome.value;
    const query = this.dom.search.value.trim().toLowerCase();
    const all = this.store.finished;
    const matching =
      outcome === "" && query === ""
        ? all
        : all.filter((f) => (outcome === "" || f.outcome === outcome) && (query === "" || searchText(f).includes(query)));
    const shown = matching.slice(0, SHOWN);
    const keep = new Set(shown.map((f) => f.key));
    for (const key of this.rows.keys()) if (!keep.has(key)) this.rows.delete(key);
    this.dom.body.replaceChildren(...shown.map((f) => this.rows.get(f.key) ?? this.newRow(f)));
    const filtered = matching.length !== all.length;
    const counted = filtered ? `${matching.length} of ${all.length} kept` : `${all.length} kept`;
    const server = this.store.serverKeepsFinished;
    const reach = server === undefined ? "" : ` · the server keeps the last ${server}`;
    setText(this.dom.count, `${matching.length > SHOWN ? `newest ${SHOWN} of ` : ""}${counted}${reach}`);
    this.dom.empty.hidden = shown.length !== 0;
    setText(this.dom.empty, all.length === 0 ? "No task has finished yet." : "No finished task matches.");
    if (this.budget.overflowed(this.dom.scroll, FINISHED_COLUMNS, columns)) {
      this.dirty = true;
      this.draw();
    }
  }

  /**
   * The text columns (name, last status, who) share what the others leave of the width, each cut
   * with an ellipsis past its share: a long name would otherwise widen its column until the table
   * overflowed and the last status was dropped for it.
   */
  private shareTextRoom(columns: readonly FinishedColumn[]): void {
    const text = columns.filter((c) => TEXT_COLUMNS.has(c.key));
    const px = this.budget.px;
    if (text.length === 0 || !Number.isFinite(px)) {
      this.dom.scroll.style.removeProperty("--text-max");
      return;
    }
    const fixed = columns.reduce((sum, c) => (TEXT_COLUMNS.has(c.key) ? sum : sum + c.min), 0);
    const share = Math.floor((px - fixed) / text.length) - CELL_PADDING;
    this.dom.scroll.style.setProperty("--text-max", `${Math.max(share, Math.min(...text.map((c) => c.min)) - CELL_PADDING)}px`);
  }

  private newRow(f: FinishedTask): HTMLTableRowElement {
    const row = el("tr");
    row.dataset.id = f.id;
    row.dataset.outcome = f.outcome;
    row.append(...this.columns.map((c) => c.cell(f)));
    this.rows.set(f.key, row);
    return row;
  }
}

function searchText(f: FinishedTask): string {
  return (f.search ??=
    `${f.id}\u0000${f.name}\u0000${f.status}\u0000${f.attrText}\u0000${f.killedBy ?? ""}\u0000${f.error ?? ""}`.toLowerCase());
}

function td(className: string, text: string, title = ""): HTMLTableCellElement {
  const cell = el("td", className, text);
  if (title !== "") cell.title = title;
  return cell;
}

function withChild(child: HTMLElement): HTMLTableCellElement {
  const cell = el("td");
  cell.append(child);
  return cell;
}

/** The last status in full, with who killed the task or its error: on hover where that column gave way. */
function statusTitle(f: FinishedTask): string {
  if (f.killedBy !== undefined) return `${f.status} (killed by ${f.killedBy})`;
  if (f.error !== undefined) return `${f.status} (error: ${f.error})`;
  return f.status;
}
