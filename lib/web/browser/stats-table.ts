import type { WireNameStats, WireStats } from "../../wire/shapes";
import type { Api } from "./api";
import { el } from "./dom";
import { formatDuration } from "./time";

/** At most one `/stats` fetch per this many ms, however many tasks end. */
const REFRESH_MS = 2000;

/**
 * Per-name counters and latency quantiles from `GET /stats`, refetched when tasks end (never on
 * a timer: an idle server costs nothing), plus the mean time spent in each status as a stacked bar.
 */
export class StatsTable {
  private stats: WireNameStats[] = [];
  private dirty = false;
  private last = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: Api,
    private readonly body: HTMLTableSectionElement,
    private readonly invalidate: () => void,
  ) {}

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
    this.body.replaceChildren(...this.stats.map(row));
  }
}

function row(s: WireNameStats): HTMLTableRowElement {
  const tr = el("tr");
  tr.dataset.name = s.name;
  const l = s.latencyMs;
  const none = l.count === 0;
  tr.append(
    el("td", "name", s.name),
    el("td", "num", String(s.running)),
    el("td", "num", String(s.started)),
    el("td", "num", String(s.ended)),
    el("td", `num${s.killed > 0 ? " warn" : ""}`, String(s.killed)),
    el("td", `num${s.aborted > 0 ? " bad" : ""}`, String(s.aborted)),
    ...[l.p50, l.p90, l.p99, l.max].map((ms) => el("td", "num", none ? "–" : formatDuration(ms))),
    phases(s),
  );
  return tr;
}

/** Mean time per status as one stacked bar; each piece's title names the status and its mean. */
function phases(s: WireNameStats): HTMLTableCellElement {
  const cell = el("td", "phases");
  const bar = el("div", "stack");
  const entries = Object.entries(s.phases).map(([status, p]) => [status, p.count === 0 ? 0 : p.totalMs / p.count] as const);
  const total = entries.reduce((sum, [, mean]) => sum + mean, 0);
  if (total > 0) {
    entries.forEach(([status, mean], i) => {
      const piece = el("span", `p${i % 6}`);
      piece.style.width = `${(mean / total) * 100}%`;
      piece.title = `${status}: ${formatDuration(mean)} on average`;
      bar.append(piece);
    });
  }
  cell.title = entries.map(([status, mean]) => `${status} ${formatDuration(mean)}`).join(" · ");
  cell.append(bar);
  return cell;
}
