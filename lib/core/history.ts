/** One entry of a task's timeline: when (epoch ms, sub-ms precision) and what. */
export interface HistoryEntry {
  ts: number;
  status: string;
}

/**
 * A task's timeline, bounded: the first entry (`init`) stays, then a ring of the newest.
 * Memory never grows with the number of status changes; `dropped` counts what the ring overwrote.
 */
/**
 * Slots allocated up front: init, three statuses and the end fit without growing. V8 grows a
 * one-element array to 17 slots on its first push, ~230 bytes across both arrays per task.
 */
const PREALLOCATED = 5;

export class History {
  private readonly times: number[];
  private readonly statuses: string[];
  /** Entries in use (the arrays are longer: their spare slots wait for the next appends). */
  private count = 1;
  /** Where the oldest kept entry after the first sits, once the ring has wrapped. */
  private head = 1;
  dropped = 0;

  constructor(
    private readonly capacity: number,
    ts: number,
    status: string,
  ) {
    this.times = [ts, 0, 0, 0, 0];
    this.statuses = [status, "", "", "", ""];
  }

  get length(): number {
    return this.count;
  }

  append(ts: number, status: string): void {
    const count = this.count;
    if (count < this.capacity) {
      if (count < PREALLOCATED) {
        this.times[count] = ts;
        this.statuses[count] = status;
      } else {
        this.times.push(ts);
        this.statuses.push(status);
      }
      this.count = count + 1;
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
    const { times, statuses, head, count } = this;
    visit(times[0], statuses[0]);
    for (let i = head; i < count; i++) visit(times[i], statuses[i]);
    for (let i = 1; i < head; i++) visit(times[i], statuses[i]);
  }

  /** The time of the k-th kept entry, oldest first (0 is the first entry). */
  timeAt(k: number): number {
    return this.times[this.slot(k)];
  }

  /** The status of the k-th kept entry, oldest first. */
  statusAt(k: number): string {
    return this.statuses[this.slot(k)];
  }

  entries(): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    this.forEach((ts, status) => out.push({ ts, status }));
    return out;
  }

  private slot(k: number): number {
    if (k === 0 || this.head === 1) return k;
    const at = this.head + k - 1;
    return at < this.count ? at : at - this.count + 1;
  }

  private lastIndex(): number {
    return this.head === 1 ? this.count - 1 : this.head - 1;
  }
}
