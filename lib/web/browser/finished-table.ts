import { el } from "./dom";
import type { FinishedTask, Store } from "./store";
import { formatClock, formatDuration } from "./time";

/** How many finished tasks are drawn; the store keeps more for the timeline's facts. */
const SHOWN = 200;

/** The finished tasks, newest first, with outcome, duration and who cancelled them. Rows are keyed and reused. */
export class FinishedTable {
  private dirty = true;
  private readonly rows = new Map<string, HTMLTableRowElement>();

  constructor(
    private readonly store: Store,
    private readonly body: HTMLTableSectionElement,
    private readonly count: HTMLElement,
    select: (id: string) => void,
  ) {
    body.addEventListener("click", (e) => {
      const id = (e.target as HTMLElement).closest<HTMLElement>("[data-id]")?.dataset.id;
      if (id !== undefined) select(id);
    });
  }

  invalidate(): void {
    this.dirty = true;
  }

  draw(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const shown = this.store.finished.slice(0, SHOWN);
    const keep = new Set(shown.map((f) => f.key));
    for (const [key, row] of this.rows) if (!keep.has(key)) this.rows.delete(key);
    this.body.replaceChildren(...shown.map((f) => this.rows.get(f.key) ?? this.newRow(f)));
    const total = this.store.finished.length;
    this.count.textContent = total > SHOWN ? `newest ${SHOWN} of ${total}` : `${total} kept`;
  }

  private newRow(f: FinishedTask): HTMLTableRowElement {
    const row = el("tr");
    row.dataset.id = f.id;
    row.dataset.outcome = f.outcome;
    const status = el("td", "status", f.status);
    status.title = f.status;
    const who = el("td", "who", f.killedBy ?? f.error ?? "");
    who.title = f.error === undefined ? "" : `error: ${f.error}`;
    row.append(
      el("td", "id", f.id),
      el("td", "name", f.name),
      cellWith(el("span", `outcome ${f.outcome}`, f.outcome)),
      el("td", "num", formatDuration(f.durationMs)),
      status,
      who,
      el("td", "num", formatClock(f.end)),
    );
    this.rows.set(f.key, row);
    return row;
  }
}

function cellWith(child: HTMLElement): HTMLTableCellElement {
  const cell = el("td");
  cell.append(child);
  return cell;
}
