import { columnsKey, fitColumns, headerCells, WidthBudget, type ColumnSpec } from "./columns";
import { el, setText } from "./dom";
import type { FinishedTask, Store } from "./store";
import { formatClock, formatDuration } from "./time";

/** How many finished tasks are drawn; the store keeps more for the timeline and the search. */
const SHOWN = 200;

interface FinishedColumn extends ColumnSpec {
  cell(f: FinishedTask): HTMLTableCellElement;
}

/** The finished table's columns; at 360 px id, outcome, duration and end time stay. */
export const FINISHED_COLUMNS: FinishedColumn[] = [
  { key: "id", header: "id", min: 72, max: "", priority: 0, cell: (f) => td("id", f.id, f.id) },
  { key: "name", header: "name", min: 90, max: "", priority: 4, cell: (f) => td("name", f.name, f.name) },
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
    priority: 1,
    numeric: true,
    cell: (f) => td("num", formatDuration(f.durationMs)),
  },
  { key: "status", header: "last status", min: 120, max: "", priority: 3, cell: (f) => td("status", f.status, f.status) },
  {
    key: "who",
    header: "killed by / error",
    min: 110,
    max: "",
    priority: 2,
    cell: (f) => td("who", f.killedBy ?? f.error ?? "", f.error === undefined ? "" : `error: ${f.error}`),
  },
  { key: "ended", header: "ended", min: 92, max: "", priority: 1, numeric: true, cell: (f) => td("num", formatClock(f.end)) },
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
