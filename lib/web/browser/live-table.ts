import { el, setText } from "./dom";
import { Change, type LiveTask, type Store } from "./store";
import { formatAge } from "./time";

/** Fixed row height: rows are absolutely placed, so only the visible ones exist in the DOM. */
const ROW_HEIGHT = 30;
const OVERSCAN = 8;

export type SortKey = "id" | "name" | "age" | "status" | "inStatus" | "attrs";

/** Columns whose sort order an event can change (age and id never move once a task started). */
const VOLATILE: ReadonlySet<SortKey> = new Set(["status", "inStatus", "attrs"]);
const collator = new Intl.Collator(undefined, { numeric: true });

const COMPARE: Record<SortKey, (a: LiveTask, b: LiveTask) => number> = {
  id: (a, b) => collator.compare(a.id, b.id),
  name: (a, b) => collator.compare(a.name, b.name),
  age: (a, b) => b.start - a.start,
  status: (a, b) => collator.compare(a.status, b.status),
  inStatus: (a, b) => b.statusAt - a.statusAt,
  attrs: (a, b) => collator.compare(a.attrText, b.attrText),
};

interface Row {
  el: HTMLDivElement;
  task: LiveTask | undefined;
  rev: number;
  index: number;
  age: HTMLElement;
  inStatus: HTMLElement;
  cells: HTMLElement[];
}

export interface LiveTableDom {
  /** The scrolling box, its sized inner box holding the rows, and the header with sort buttons. */
  scroller: HTMLElement;
  rows: HTMLElement;
  header: HTMLElement;
  filter: HTMLInputElement;
  count: HTMLElement;
  empty: HTMLElement;
}

export interface LiveTableHooks {
  select(task: LiveTask): void;
  cancel(task: LiveTask): void;
  /** Something changed that needs a redraw. */
  invalidate(): void;
}

/**
 * The running tasks: filtered and sorted over the whole list, drawn only for the visible window,
 * with rows keyed by task and reused, so ten thousand tasks cost a few dozen DOM rows.
 */
export class LiveTable {
  sortKey: SortKey = "age";
  descending = true;
  selected: string | undefined;
  private view: LiveTask[] = [];
  private viewDirty = true;
  /** Set by what the user did (sort, filter, scroll): redraw the order now, whatever it costs. */
  private viewUrgent = true;
  /** What the last filter-and-sort cost, and when it ran (ms, performance.now()). */
  private viewCost = 0;
  private viewBuiltAt = -Infinity;
  private query = "";
  private readonly shown = new Map<string, Row>();
  private readonly spare: Row[] = [];
  private height = 0;

  constructor(
    private readonly store: Store,
    private readonly dom: LiveTableDom,
    private readonly hooks: LiveTableHooks,
  ) {
    dom.filter.addEventListener("input", () => {
      this.query = dom.filter.value.trim().toLowerCase();
      this.invalidate();
    });
    dom.scroller.addEventListener("scroll", () => hooks.invalidate(), { passive: true });
    new ResizeObserver(() => {
      this.height = dom.scroller.clientHeight;
      hooks.invalidate();
    }).observe(dom.scroller);
    dom.header.addEventListener("click", (e) => {
      const key = (e.target as HTMLElement).closest<HTMLElement>("[data-sort]")?.dataset.sort as SortKey | undefined;
      if (key === undefined) return;
      this.descending = key === this.sortKey ? !this.descending : key === "age" || key === "inStatus";
      this.sortKey = key;
      this.invalidate();
    });
    dom.rows.addEventListener("click", (e) => {
      const target = e.target as HTMLElement;
      const task = this.store.live.get(target.closest<HTMLElement>("[data-id]")?.dataset.id ?? "");
      if (task === undefined) return;
      if (target.closest(".cancel") !== null) hooks.cancel(task);
      else hooks.select(task);
    });
  }

  /** Called for every applied event: decides whether the order may have moved. */
  changed(change: Change): void {
    if (change & Change.Membership || (change & Change.Row && (this.query !== "" || VOLATILE.has(this.sortKey)))) this.viewDirty = true;
  }

  invalidate(): void {
    this.viewDirty = this.viewUrgent = true;
    this.hooks.invalidate();
  }

  /** Redraws what changed; `tick` means the clock moved, so ages must be rewritten. */
  draw(now: number, tick: boolean): void {
    if (this.viewDirty) {
      // Events re-sort at most once per four times what a sort costs: with 50,000 tasks sorted by
      // status, order lags by a few frames while the rows' contents stay current every frame.
      const at = performance.now();
      if (this.viewUrgent || at - this.viewBuiltAt >= this.viewCost * 4) {
        this.rebuildView();
        this.viewBuiltAt = performance.now();
        this.viewCost = this.viewBuiltAt - at;
      } else this.hooks.invalidate();
    }
    const { view } = this;
    this.dom.rows.style.height = `${view.length * ROW_HEIGHT}px`;
    const top = this.dom.scroller.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(view.length, Math.ceil((top + this.height) / ROW_HEIGHT) + OVERSCAN);
    const wanted = new Set<string>();
    for (let i = first; i < last; i++) wanted.add(view[i].id);
    for (const [id, row] of this.shown) {
      if (wanted.has(id)) continue;
      this.shown.delete(id);
      row.el.remove();
      this.spare.push(row);
    }
    for (let i = first; i < last; i++) {
      const task = view[i];
      let row = this.shown.get(task.id);
      if (row === undefined) {
        row = this.spare.pop() ?? this.newRow();
        row.task = undefined;
        this.shown.set(task.id, row);
        this.dom.rows.append(row.el);
      }
      if (row.index !== i) {
        row.index = i;
        row.el.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
      }
      const fresh = row.task !== task || row.rev !== task.rev;
      if (fresh) this.fill(row, task);
      if (fresh || tick) {
        setText(row.age, formatAge(now - task.start));
        setText(row.inStatus, formatAge(now - task.statusAt));
      }
      row.el.classList.toggle("selected", task.id === this.selected);
    }
    const total = this.store.live.size;
    setText(this.dom.count, view.length === total ? `${total} running` : `${view.length} of ${total} running`);
    this.dom.empty.hidden = view.length !== 0;
    // Before the first answer (a token to enter, a server down), nothing is known to be running.
    const none = this.store.loaded ? "No task is running." : "Not loaded from the server yet.";
    setText(this.dom.empty, total === 0 ? none : `No running task matches “${this.dom.filter.value.trim()}”.`);
  }

  private rebuildView(): void {
    this.viewDirty = this.viewUrgent = false;
    const { query } = this;
    const view: LiveTask[] = [];
    for (const task of this.store.live.values()) if (query === "" || task.search.includes(query)) view.push(task);
    const compare = COMPARE[this.sortKey];
    const sign = this.descending ? -1 : 1;
    // "age descending" means oldest first, the tasks an operator looks for.
    view.sort((a, b) => sign * (compare(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
    this.view = view;
    for (const button of this.dom.header.querySelectorAll<HTMLElement>("[data-sort]")) {
      const on = button.dataset.sort === this.sortKey;
      button.closest("[role=columnheader]")?.setAttribute("aria-sort", on ? (this.descending ? "descending" : "ascending") : "none");
    }
  }

  private newRow(): Row {
    const row = el("div", "row");
    row.setAttribute("role", "row");
    const cells = ["id", "name", "age", "status", "in-status", "attrs", "action"].map((name) => {
      const cell = el("div", `cell ${name}`);
      cell.setAttribute("role", "cell");
      row.append(cell);
      return cell;
    });
    return { el: row, task: undefined, rev: -1, index: -1, age: cells[2], inStatus: cells[4], cells };
  }

  private fill(row: Row, task: LiveTask): void {
    row.task = task;
    row.rev = task.rev;
    row.el.dataset.id = task.id;
    row.el.classList.toggle("cancelling", task.cancelling);
    const [id, name, , status, , attrs, action] = row.cells;
    setText(id, task.id);
    id.title = task.parent === undefined ? task.id : `${task.id} (child of ${task.parent})`;
    setText(name, task.name);
    setText(status, task.status);
    status.title = task.status;
    setText(attrs, task.attrText);
    attrs.title = task.attrText;
    action.replaceChildren(actionFor(task));
  }
}

/** Cancel button, or why there is none. */
function actionFor(task: LiveTask): HTMLElement {
  if (task.forbidCancel) {
    const lock = el("span", "protected", "protected");
    lock.title = "Started with forbidCancel: the server refuses to cancel this task.";
    return lock;
  }
  if (task.cancelling) return el("span", "pending", "cancelling…");
  const button = el("button", "cancel", "Cancel");
  button.type = "button";
  button.title = `Cancel ${task.id}…`;
  return button;
}
