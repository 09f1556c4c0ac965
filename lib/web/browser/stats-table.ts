import type { WireLoop, WireNameStats, WireStats } from "../../wire/shapes";
import type { Api } from "./api";
import { columnsKey, fitColumns, headerCells, WidthBudget, type ColumnSpec } from "./columns";
import { el } from "./dom";
import { formatDuration } from "./time";

/** At most one `/stats` fetch per this many ms, however many tasks end. */
const REFRESH_MS = 2000;
/** Statuses named in a row's legend; the rest are summed as "+N more" (each still in its piece's tooltip). */
const LEGEND_MAX = 6;

interface StatsColumn extends ColumnSpec {
  cell(s: WireNameStats): HTMLTableCellElement;
}

const latency = (key: "p50" | "p90" | "p99" | "max", priority: number): StatsColumn => ({
  key,
  header: key,
  min: 64,
  max: "",
  priority,
  numeric: true,
  cell: (s) => el("td", "num", s.latencyMs.count === 0 ? "–" : formatDuration(s.latencyMs[key])),
});
const count = (key: "running" | "started" | "ended" | "killed" | "aborted", priority: number, warn = ""): StatsColumn => ({
  key,
  header: key,
  min: 62,
  max: "",
  priority,
  numeric: true,
  cell: (s) => el("td", `num${warn !== "" && s[key] > 0 ? ` ${warn}` : ""}`, String(s[key])),
});

/** The stats table's columns; at 360 px the name, p50 and the time per status stay. */
export const STATS_COLUMNS: StatsColumn[] = [
  { key: "name", header: "name", min: 96, max: "", priority: 0, cell: (s) => el("td", "name", s.name) },
  count("running", 2),
  count("started", 4),
  count("ended", 4),
  count("killed", 3, "warn"),
  count("aborted", 3, "bad"),
  latency("p50", 1),
  latency("p90", 5),
  latency("p99", 2),
  latency("max", 5),
  { key: "phases", header: "time per status (mean)", min: 150, max: "", priority: 0, cell: phases },
];

/**
 * Per-name counters and latency quantiles from `GET /stats`, refetched when tasks end (never on
 * a timer: an idle server costs nothing), plus the mean time spent in each status as a stacked
 * bar with its legend beside it.
 */
export class StatsTable {
  private stats: WireNameStats[] = [];
  private dirty = false;
  private last = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private columns: StatsColumn[] = [];
  private readonly budget = new WidthBudget();

  constructor(
    private readonly api: Api,
    private readonly body: HTMLTableSectionElement,
    private readonly header: HTMLTableRowElement,
    private readonly scroll: HTMLElement,
    private readonly invalidate: () => void,
    /** Hears the event loop's health from each answer (undefined from servers that do not report it). */
    private readonly onLoop: (loop: WireLoop | undefined) => void = () => undefined,
  ) {
    new ResizeObserver(() => {
      this.budget.resized(scroll.clientWidth);
      this.dirty = true;
      invalidate();
    }).observe(scroll);
  }

  /** Asks for fresh numbers, at most once per REFRESH_MS. */
  refresh(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.last + REFRESH_MS - Date.now());
    this.timer = setTimeout(() => void this.load(), wait);
  }

  private async load(): Promise<void> {
    this.last = Date.now();
    try {
      const answer = await this.api.get<WireStats>("stats");
      this.stats = [...answer.stats].sort((a, b) => a.name.localeCompare(b.name));
      this.onLoop(answer.loop);
      this.dirty = true;
      this.invalidate();
    } catch {
      // the connection shows the server's trouble; stats just stay as they were
    } finally {
      this.timer = undefined;
    }
  }

  draw(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const columns = fitColumns(STATS_COLUMNS, this.budget.px);
    if (columnsKey(columns) !== columnsKey(this.columns)) {
      this.columns = columns;
      this.header.replaceChildren(...headerCells(columns));
    }
    this.body.replaceChildren(
      ...this.stats.map((s) => {
        const tr = el("tr");
        tr.dataset.name = s.name;
        tr.append(...columns.map((c) => c.cell(s)));
        return tr;
      }),
    );
    if (this.budget.overflowed(this.scroll, STATS_COLUMNS, columns)) {
      this.dirty = true;
      this.invalidate();
    }
  }
}

/** Mean time per status as one stacked bar, and a legend naming each colour with its mean. */
function phases(s: WireNameStats): HTMLTableCellElement {
  const cell = el("td", "phases");
  const bar = el("div", "stack");
  const legend = el("ul", "legend");
  const entries = Object.entries(s.phases).map(([status, p]) => [status, p.count === 0 ? 0 : p.totalMs / p.count] as const);
  const total = entries.reduce((sum, [, mean]) => sum + mean, 0);
  entries.forEach(([status, mean], i) => {
    const colour = `p${i % 6}`;
    if (total > 0) {
      const piece = el("span", colour);
      piece.style.width = `${(mean / total) * 100}%`;
      piece.title = `${status}: ${formatDuration(mean)} on average`;
      bar.append(piece);
    }
    if (i < LEGEND_MAX) {
      const item = el("li", colour);
      item.title = `${status}: ${formatDuration(mean)} on average`;
      item.append(el("span", "swatch"), el("span", "status", status), el("span", "mean", formatDuration(mean)));
      legend.append(item);
    }
  });
  if (entries.length > LEGEND_MAX) legend.append(el("li", "more", `+${entries.length - LEGEND_MAX} more`));
  cell.title = entries.map(([status, mean]) => `${status} ${formatDuration(mean)}`).join(" · ");
  cell.append(bar, legend);
  return cell;
}
