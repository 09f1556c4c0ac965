/** One entry of a task's timeline: when (epoch ms, sub-ms precision) and what. */
export interface HistoryEntry {
  ts: number;
  status: string;
}

/**
 * A task's timeline, bounded: the first entry (`init`) stays, then a ring of the newest.
 * Memory never grows with the number of status changes; `dropped` counts what the ring overwrote.
 */
export class History {
  private readonly times: number[];
  private readonly statuses: string[];
  /** Where the oldest kept entry after the first sits, once the ring has wrapped. */
  private head = 1;
  dropped = 0;

  constructor(
    private readonly capacity: number,
    ts: number,
    status: string,
  ) {
    this.times = [ts];
    this.statuses = [status];
  }

  get length(): number {
    return this.times.length;
  }

  append(ts: number, status: string): void {
    if (this.times.length < this.capacity) {
      this.times.push(ts);
      this.statuses.push(status);
      return;
    }
    const at = this.head;
    this.times[at] = ts;
    this.statuses[at] = status;
    this.head = at + 1 === this.capacity ? 1 : at + 1;
    this.dropped++;
  }

  get firstTime(): number {
    return this.times[0];
  }

  get lastTime(): number {
    return this.times[this.lastIndex()];
  }

  get lastStatus(): string {
    return this.statuses[this.lastIndex()];
  }

  /** Visits the kept entries oldest first, without allocating them. */
  forEach(visit: (ts: number, status: string) => void): void {
    const { times, statuses, head } = this;
    visit(times[0], statuses[0]);
    for (let i = head; i < times.length; i++) visit(times[i], statuses[i]);
    for (let i = 1; i < head; i++) visit(times[i], statuses[i]);
  }

  entries(): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    this.forEach((ts, status) => out.push({ ts, status }));
    return out;
  }

  private lastIndex(): number {
    return this.head === 1 ? this.times.length - 1 : this.head - 1;
  }
}
