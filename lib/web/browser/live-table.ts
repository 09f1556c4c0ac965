import { columnsKey, fitColumns, gridTracks } from "./columns";
import { el, setText } from "./dom";
import { LIVE_COLUMNS, type LiveColumn } from "./live-columns";
import { Change, type LiveTask, type Store } from "./store";
import { cutMiddle, laidOutWidths } from "./text-width";

/** A cell's left and right padding (style.css). */
const CELL_PADDING = 16;
/** The narrowest a content-sized column gets, whatever its content: room for its header. */
const HEADER_MIN = 48;

/** Row height: rows are absolutely placed, so only the visible ones exist in the DOM. */
const ROW_HEIGHT = 30;
const OVERSCAN = 8;
/** The card grows with its rows up to this share of the window, then scrolls. */
const MAX_SHARE = 0.6;
const EMPTY_HEIGHT = 84;

interface Row {
  el: HTMLDivElement;
  task: LiveTask | undefined;
  rev: number;
  /** Its index in the view, and the offset it was last placed at. */
  at: number;
  y: number;
  cells: HTMLElement[];
  detail: HTMLElement;
}

export interface LiveTableDom {
  /** The table (its width decides the columns), the scrolling box, its sized inner box, and the header. */
  table: HTMLElement;
  scroller: HTMLElement;
  rows: HTMLElement;
  header: HTMLElement;
  filter: HTMLInputElement;
  count: HTMLElement;
  empty: HTMLElement;
}

export interface LiveTableHooks {
  select(task: LiveTask): void;
  /** Cancel (or, `force`, force-kill) was clicked on a task's row. */
  cancel(task: LiveTask, force: boolean): void;
  /** Something changed that needs a redraw. */
  invalidate(): void;
}

/**
 * The running tasks: filtered and sorted over the whole list, drawn only for the visible window,
 * with rows keyed by task and reused, so ten thousand tasks cost a few dozen DOM rows. Its columns
 * are LIVE_COLUMNS that fit the width; the selected row expands to show its attributes in full and
 * the columns a narrow screen dropped.
 */
export class LiveTable {
  sortKey = "age";
  descending = true;
  selected: string | undefined;
  private columns: LiveColumn[] = [];
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
  private width = 0;
  /** Scroll the selected row into view at the next draw (it was chosen by a link, not a click). */
  private revealSelected = false;
  /** The grid tracks last set, and whether the tasks changed since the content widths were measured. */
  private tracks = "";
  private contentDirty = true;
  private contentPx = new Map<string, number>();
  /** How many characters the middle-cut columns' cells hold, by key (Infinity: all). */
  private fitChars = new Map<string, number>();

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
      this.width = dom.table.clientWidth;
      hooks.invalidate();
    }).observe(dom.table);
    dom.header.addEventListener("click", (e) => {
      const key = (e.target as HTMLElement).closest<HTMLElement>("[data-sort]")?.dataset.sort;
      const column = LIVE_COLUMNS.find((c) => c.key === key);
      if (column === undefined) return;
      this.descending = column.key === this.sortKey ? !this.descending : column.descendingFirst === true;
      this.sortKey = column.key;
      this.invalidate();
    });
    dom.rows.addEventListener("click", (e) => {
      const target = e.target as HTMLElement;
      const task = this.store.live.get(target.closest<HTMLElement>("[data-id]")?.dataset.id ?? "");
      if (task === undefined) return;
      if (target.closest(".cancel") !== null) hooks.cancel(task, false);
      else if (target.closest(".force") !== null) hooks.cancel(task, true);
      else hooks.select(task);
    });
  }

  /** Selects a task and, when `reveal`, scrolls it into view (a link or back/forward chose it). */
  select(id: string | undefined, reveal = false): void {
    this.selected = id;
    this.revealSelected = reveal;
    this.hooks.invalidate();
  }

  /** Called for every applied event: decides whether the order may have moved. */
  changed(change: Change): void {
    const volatile = LIVE_COLUMNS.find((c) => c.key === this.sortKey)?.volatile === true;
    if (change & Change.Membership) this.contentDirty = true;
    if (change & Change.Membership || (change & Change.Row && (this.query !== "" || volatile))) this.viewDirty = true;
  }

  invalidate(): void {
    this.viewDirty = this.viewUrgent = this.contentDirty = true;
    this.hooks.invalidate();
  }

  /** Something every row shows changed outside the tasks (what the token may do): fill them all again. */
  refill(): void {
    for (const row of this.shown.values()) row.rev = -1;
    this.invalidate();
  }

  /** Redraws what changed; `tick` means the clock moved, so ages must be rewritten. */
  draw(now: number, tick: boolean): void {
    this.layColumns();
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
    const selectedAt = this.selected === undefined ? -1 : view.findIndex((t) => t.id === this.selected);
    if (this.revealSelected && selectedAt >= 0) {
      this.revealSelected = false;
      const top = selectedAt * ROW_HEIGHT;
      const { scroller } = this.dom;
      if (top < scroller.scrollTop || top + ROW_HEIGHT > scroller.scrollTop + this.height)
        scroller.scrollTop = Math.max(0, top - ROW_HEIGHT);
    }
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
    let extra = 0;
    let expanded: Row | undefined;
    for (let i = first; i < last; i++) {
      const task = view[i];
      let row = this.shown.get(task.id);
      if (row === undefined) {
        row = this.spare.pop() ?? this.newRow();
        row.task = undefined;
        this.shown.set(task.id, row);
        this.dom.rows.append(row.el);
      }
      row.at = i;
      const fresh = row.task !== task || row.rev !== task.rev;
      if (fresh) this.fill(row, task);
      if (fresh || tick) this.fillClock(row, task, now);
      const open = i === selectedAt;
      row.el.classList.toggle("selected", open);
      if (open !== row.el.classList.contains("expanded") || (open && (fresh || tick))) this.fillDetail(row, task, now, open);
      if (open) expanded = row;
    }
    // The expanded row is taller: the rows below it move down by the difference.
    if (expanded !== undefined) extra = Math.max(0, expanded.el.offsetHeight - ROW_HEIGHT);
    for (const row of this.shown.values()) {
      const y = row.at * ROW_HEIGHT + (selectedAt >= 0 && row.at > selectedAt ? extra : 0);
      if (row.y !== y) {
        row.y = y;
        row.el.style.transform = `translateY(${y}px)`;
      }
    }
    const content = view.length * ROW_HEIGHT + extra;
    this.dom.rows.style.height = `${content}px`;
    const max = Math.max(240, Math.round(window.innerHeight * MAX_SHARE));
    const height = `${view.length === 0 ? EMPTY_HEIGHT : Math.min(content, max)}px`;
    if (this.dom.scroller.style.height !== height) this.dom.scroller.style.height = height;
    const total = this.store.live.size;
    let gone = 0;
    if (this.store.service !== undefined) for (const task of this.store.live.values()) if (task.gone !== undefined) gone++;
    setText(
      this.dom.count,
      `${view.length === total ? `${total}` : `${view.length} of ${total}`} running${gone === 0 ? "" : ` (${gone} on gone instances)`}`,
    );
    this.dom.empty.hidden = view.length !== 0;
    // Before the first answer (a token to enter, a server down), nothing is known to be running.
    const none = this.store.loaded ? "No task is running." : "Not loaded from the server yet.";
    setText(this.dom.empty, total === 0 ? none : `No running task matches “${this.dom.filter.value.trim()}”.`);
  }

  /**
   * Picks the columns that fit the table's width, each content-sized one as wide as its longest
   * text (within its declared bounds); a change of columns rebuilds the header and the rows, a
   * change of widths re-cuts the middle-cut cells.
   */
  private layColumns(): void {
    if (this.contentDirty) this.measureContent();
    const present = LIVE_COLUMNS.filter((c) => c.when === undefined || [...this.store.live.values()].some((t) => c.when!(t))).map((c) =>
      this.sized(c),
    );
    const columns = fitColumns(present, this.width === 0 ? Infinity : this.width);
    const tracks = gridTracks(columns);
    const changed = columnsKey(columns) !== columnsKey(this.columns);
    if (tracks !== this.tracks || this.width !== this.laidWidth) {
      this.tracks = tracks;
      this.laidWidth = this.width;
      this.dom.table.style.setProperty("--cols", tracks);
      if (!changed) this.cutToFit(columns);
    }
    if (!changed) {
      this.columns = columns;
      return;
    }
    this.columns = columns;
    this.dom.header.replaceChildren(
      ...columns.map((c) => {
        const cell = el("div", `cell ${c.key}${c.numeric === true ? " num" : ""}`);
        cell.setAttribute("role", "columnheader");
        if (c.compare !== undefined) {
          const button = el("button", "", c.header);
          button.type = "button";
          button.dataset.sort = c.key;
          cell.append(button);
        }
        return cell;
      }),
    );
    for (const row of this.shown.values()) row.el.remove();
    this.shown.clear();
    this.spare.length = 0;
    this.viewDirty = true;
    this.cutToFit(columns);
  }

  private laidWidth = -1;

  /** Whether the column is shown (the shown ones are its content-sized copies). */
  private shows(column: LiveColumn): boolean {
    return this.columns.some((c) => c.key === column.key);
  }

  /** The column with its track bounded by its content: never wider than its longest text needs. */
  private sized(column: LiveColumn): LiveColumn {
    const px = this.contentPx.get(column.key);
    if (column.sizedByContent !== true || px === undefined) return column;
    const min = Math.max(HEADER_MIN, Math.min(column.min, px));
    return { ...column, min, max: `max(${min}px, min(${column.max}, ${px}px))` };
  }

  /** The width each content-sized column's longest text needs, padding included (measured once per change of the tasks). */
  private measureContent(): void {
    this.contentDirty = false;
    const longest = new Map<string, string>();
    const sized = LIVE_COLUMNS.filter((c) => c.sizedByContent === true);
    for (const task of this.store.live.values()) {
      for (const c of sized) {
        const text = c.text(task, 0);
        if (text.length > (longest.get(c.key)?.length ?? 0)) longest.set(c.key, text);
      }
    }
    this.contentPx.clear();
    for (const c of sized) {
      const text = longest.get(c.key);
      if (text === undefined) continue;
      // A step of 8 px: a new task one character longer moves the columns only now and then.
      this.contentPx.set(c.key, Math.ceil((this.measure(c, [text])[0] + 1) / 8) * 8);
    }
  }

  /** The widths of texts laid out in a cell of the column (its font and padding), in a probe row among the rows. */
  private measure(column: LiveColumn, texts: readonly string[]): number[] {
    const probe = el("div", "row");
    probe.style.cssText = "position: absolute; visibility: hidden";
    const cell = el("div", `cell ${column.key}`);
    probe.append(cell);
    this.dom.rows.append(probe);
    const widths = laidOutWidths(cell, texts);
    probe.remove();
    return widths;
  }

  /** How many characters each middle-cut column shows at its laid-out width; rows are refilled when that changed. */
  private cutToFit(columns: readonly LiveColumn[]): void {
    let changed = false;
    columns.forEach((c, i) => {
      if (c.cutMiddle !== true) return;
      const cell = this.dom.header.children[i] as HTMLElement | undefined;
      // A monospace column: ten characters' width over ten.
      const char = (this.measure(c, ["0000000000"])[0] - CELL_PADDING) / 10;
      const room = cell === undefined ? 0 : cell.getBoundingClientRect().width - CELL_PADDING;
      const chars = char > 0 && room > 0 ? Math.max(1, Math.floor(room / char)) : Infinity;
      if (this.fitChars.get(c.key) !== chars) {
        this.fitChars.set(c.key, chars);
        changed = true;
      }
    });
    if (changed) for (const row of this.shown.values()) row.rev = -1;
  }

  private rebuildView(): void {
    this.viewDirty = this.viewUrgent = false;
    const { query } = this;
    const view: LiveTask[] = [];
    for (const task of this.store.live.values()) if (query === "" || task.search.includes(query)) view.push(task);
    const compare = LIVE_COLUMNS.find((c) => c.key === this.sortKey)?.compare ?? (() => 0);
    const sign = this.descending ? -1 : 1;
    // "age descending" means oldest first, the tasks an operator looks for.
    view.sort((a, b) => sign * (compare(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
    this.view = view;
    for (const cell of this.dom.header.children) {
      const key = cell.querySelector<HTMLElement>("[data-sort]")?.dataset.sort;
      cell.setAttribute("aria-sort", key === this.sortKey ? (this.descending ? "descending" : "ascending") : "none");
    }
  }

  private newRow(): Row {
    const row = el("div", "row");
    row.setAttribute("role", "row");
    const cells = this.columns.map((c) => {
      const cell = el("div", `cell ${c.key}${c.numeric === true ? " num" : ""}`);
      cell.setAttribute("role", "cell");
      row.append(cell);
      return cell;
    });
    const detail = el("div", "detail");
    row.append(detail);
    return { el: row, task: undefined, rev: -1, at: -1, y: -1, cells, detail };
  }

  private fill(row: Row, task: LiveTask): void {
    row.task = task;
    row.rev = task.rev;
    row.el.dataset.id = task.id;
    row.el.classList.toggle("cancelling", task.cancelling);
    row.el.classList.toggle("instance-gone", task.gone !== undefined);
    row.el.classList.toggle("ignoring", task.ignoringSince !== undefined);
    this.columns.forEach((c, i) => {
      const cell = row.cells[i];
      if (c.title !== undefined) cell.title = c.title(task);
      if (c.clock === true) return;
      if (c.render !== undefined) cell.replaceChildren(c.render(task));
      else if (c.cutMiddle === true) setText(cell, cutMiddle(c.text(task, 0), this.fitChars.get(c.key) ?? Infinity));
      else setText(cell, c.text(task, 0));
    });
  }

  private fillClock(row: Row, task: LiveTask, now: number): void {
    this.columns.forEach((c, i) => {
      if (c.clock === true) setText(row.cells[i], c.text(task, now));
    });
  }

  /** The selected row's details: the columns this width dropped, and the attributes in full. */
  private fillDetail(row: Row, task: LiveTask, now: number, open: boolean): void {
    row.el.classList.toggle("expanded", open);
    if (!open) {
      row.detail.replaceChildren();
      return;
    }
    const parts: Node[] = [];
    for (const c of LIVE_COLUMNS) {
      if (this.shows(c) || c.key === "attrs" || c.render !== undefined) continue;
      const text = c.text(task, now);
      if (text === "") continue;
      const part = el("span", `fold ${c.key}`);
      part.append(el("span", "k", `${c.header} `), document.createTextNode(text));
      parts.push(part);
    }
    if (task.parent !== undefined) parts.push(el("span", "fold", `child of ${task.parent}`));
    const attrs = LIVE_COLUMNS.find((c) => c.key === "attrs");
    if (attrs?.render !== undefined && !this.shows(attrs)) parts.push(attrs.render(task));
    row.detail.replaceChildren(...parts);
  }
}
