import type { History } from "./history";
import type { WireNameStats, WirePhaseStats } from "../wire/shapes";
import type { Outcome, Task } from "./task";

/** Latest durations kept per name for quantiles: enough for a stable p99, bounded in memory. */
const LATENCY_WINDOW = 2048;
/** Names and phases past these counts are folded into OTHER, so odd status strings cannot grow memory. */
export const MAX_NAMES = 1000;
const MAX_PHASES = 200;
/** Wait kinds per name (`fetch`, `http`, `redis` and the `waitOn` kinds an app names); past it, `(other)`. */
const MAX_WAIT_KINDS = 32;
/**
 * Characters of status text the phase tables of all names may hold together. Without it the
 * bound was 1,000 names × 200 statuses × maxStatusLength (~400 MB of text in the worst case);
 * past it, a status not seen before is counted under OTHER, as past MAX_PHASES.
 */
export const MAX_PHASE_CHARS = 1 << 20;
/** History positions whose phase record is remembered, so a repeated sequence skips the Map. */
const CACHED_POSITIONS = 16;
export const OTHER = "(other)";

/** Time spent in one status over ended tasks; the wire's shape, so the two cannot drift. */
export type PhaseStats = WirePhaseStats;

/** Counters and latency quantiles for one task name, over ended tasks, as `GET /stats` sends them. */
export type NameStats = WireNameStats;

/** One name's counters, read in place by exporters (no copy, no quantiles); see `TaskStats.forEachName`. */
export interface NameCounters {
  readonly name: string;
  readonly running: number;
  readonly started: number;
  readonly ended: number;
  readonly killed: number;
  readonly aborted: number;
  /** Grows whenever any counter of this name changes (every start and every end), so an exporter can keep what it derived until it moves. */
  readonly revision: number;
  /** Calls `visit` with each status seen, how many times a completed task passed through it, and the ms spent in it. */
  forEachPhase(visit: (status: string, count: number, totalMs: number) => void): void;
  /** Calls `visit` with each kind of wait its tasks ended, how many, and the ms spent in them. */
  forEachWait(visit: (kind: string, count: number, totalMs: number) => void): void;
}

class NameRecord implements NameCounters {
  running = 0;
  started = 0;
  ended = 0;
  killed = 0;
  aborted = 0;
  max = 0;
  readonly window = new Float64Array(LATENCY_WINDOW);
  filled = 0;
  next = 0;
  // Per distinct status: its index, then count and total time in parallel arrays. A number array
  // keeps doubles in place; a `totalMs` object field was boxed anew on every sum (~65 bytes of
  // garbage per task).
  private readonly phaseIndex = new Map<string, number>();
  private readonly phaseNames: string[] = [];
  private readonly phaseCounts: number[] = [];
  private readonly phaseTotals: number[] = [];
  // Tasks of one name mostly pass through the same statuses in the same order: remember, per
  // position in the history, the last status seen there and its index. A hit is one identity
  // comparison (status texts are usually the same string constant) instead of a Map lookup.
  private readonly seenStatus: (string | undefined)[] = new Array<string | undefined>(CACHED_POSITIONS).fill(undefined);
  private readonly seenIndex: number[] = new Array<number>(CACHED_POSITIONS).fill(-1);

  constructor(
    readonly name: string,
    /** The characters of phase text all names of the manager hold, shared between them. */
    private readonly budget: { chars: number },
  ) {}

  /** Waits ended by this name's tasks: a wait's time counts when it ends, also while its task runs on. */
  waits = 0;
  private waitKinds: string[] | undefined = undefined;
  private waitCounts: number[] | undefined = undefined;
  private waitTotals: number[] | undefined = undefined;

  // Derived, not counted: a start bumps `started`, an end its outcome or `waits`, and phases change only at an end.
  get revision(): number {
    return this.started + this.ended + this.killed + this.aborted + this.waits + 2 * this.movedOut;
  }

  /** Running tasks renamed away (a request once its route is known): each took back its start, and counts twice in `revision` so it still only grows. */
  movedOut = 0;

  /** Nothing counted: every task that started under the name was renamed away. Left out of what is shown. */
  get empty(): boolean {
    return this.started === 0 && this.waits === 0;
  }

  /** Adds one ended wait's time under its kind (a few kinds per name: a scan beats a Map). */
  addWait(kind: string, ms: number): void {
    if (this.waitKinds === undefined) [this.waitKinds, this.waitCounts, this.waitTotals] = [[], [], []];
    let index = this.waitKinds.indexOf(kind);
    if (index === -1) {
      if (this.waitKinds.length >= MAX_WAIT_KINDS) index = this.waitKinds.indexOf(OTHER);
      if (index === -1) {
        index = this.waitKinds.length;
        this.waitKinds.push(this.waitKinds.length >= MAX_WAIT_KINDS ? OTHER : kind);
        this.waitCounts!.push(0);
        this.waitTotals!.push(0);
      }
    }
    this.waitCounts![index]++;
    this.waitTotals![index] += ms;
    this.waits++;
  }

  forEachWait(visit: (kind: string, count: number, totalMs: number) => void): void {
    const kinds = this.waitKinds;
    if (kinds === undefined) return;
    for (let i = 0; i < kinds.length; i++) visit(kinds[i], this.waitCounts![i], this.waitTotals![i]);
  }

  /** Time per wait kind, as `NameStats.waits`; undefined while none ended. */
  waitStats(): Record<string, PhaseStats> | undefined {
    if (this.waitKinds === undefined) return undefined;
    const out: Record<string, PhaseStats> = {};
    this.forEachWait((kind, count, totalMs) =>
      Object.defineProperty(out, kind, { value: { count, totalMs }, enumerable: true, writable: true, configurable: true }),
    );
    return out;
  }

  addDuration(ms: number): void {
    this.window[this.next] = ms;
    this.next = this.next + 1 === LATENCY_WINDOW ? 0 : this.next + 1;
    if (this.filled < LATENCY_WINDOW) this.filled++;
    if (ms > this.max) this.max = ms;
  }

  /** Adds the time spent in each status of a finished task's history (up to the next entry). */
  addPhases(history: History): void {
    let since = history.timeAt(0);
    for (let k = 1; k < history.length; k++) {
      const status = history.statusAt(k - 1);
      const ts = history.timeAt(k);
      const position = k - 1;
      const index =
        position < CACHED_POSITIONS && this.seenStatus[position] === status ? this.seenIndex[position] : this.indexAt(position, status);
      this.phaseCounts[index]++;
      this.phaseTotals[index] += ts - since;
      since = ts;
    }
  }

  forEachPhase(visit: (status: string, count: number, totalMs: number) => void): void {
    for (let i = 0; i < this.phaseNames.length; i++) visit(this.phaseNames[i], this.phaseCounts[i], this.phaseTotals[i]);
  }

  /** Time per status, as `NameStats.phases`. */
  phases(): Record<string, PhaseStats> {
    const out: Record<string, PhaseStats> = {};
    this.phaseNames.forEach((name, i) =>
      Object.defineProperty(out, name, {
        value: { count: this.phaseCounts[i], totalMs: this.phaseTotals[i] },
        enumerable: true,
        writable: true,
        configurable: true,
      }),
    );
    return out;
  }

  /** The index of a status seen at `position`, remembered there for the next task. */
  private indexAt(position: number, status: string): number {
    const index = this.indexOf(status);
    // Only a status with its own entry is remembered: a folded one would be text held past the bound.
    if (position < CACHED_POSITIONS && this.phaseNames[index] === status) {
      this.seenStatus[position] = status;
      this.seenIndex[position] = index;
    }
    return index;
  }

  private indexOf(status: string): number {
    let index = this.phaseIndex.get(status);
    if (index === undefined) {
      if ((this.phaseNames.length >= MAX_PHASES || this.budget.chars + status.length > MAX_PHASE_CHARS) && status !== OTHER)
        return this.indexOf(OTHER);
      this.budget.chars += status.length;
      index = this.phaseNames.length;
      this.phaseIndex.set(status, index);
      this.phaseNames.push(status);
      this.phaseCounts.push(0);
      this.phaseTotals.push(0);
    }
    return index;
  }
}

/** Per-name counters kept by a manager: started, running, outcomes, latency and time per status. */
export class TaskStats {
  /** Characters of status text held by all names' phase tables (see MAX_PHASE_CHARS). */
  private readonly phaseText = { chars: 0 };
  private readonly byName = new Map<string, NameRecord>();
  // The last record asked for: a hot method's calls hit it with one identity comparison.
  private lastName: string | undefined = undefined;
  private lastRecord: NameRecord | undefined = undefined;

  started(task: Task): void {
    const record = this.record(task.name);
    record.started++;
    record.running++;
  }

  /** A running task took another name: it counts as started and running under the new one instead. */
  renamed(task: Task, from: string): void {
    const old = this.record(from);
    old.started--;
    old.running--;
    old.movedOut++;
    this.started(task);
  }

  ended(task: Task, outcome: Outcome): void {
    const record = this.record(task.name);
    record.addDuration(task.endTime - task.startTime);
    record.addPhases(task.history);
    // The counts last, after every call: an end cut short by a stack overflow is redone whole (see Task.booked).
    record.running--;
    record[outcome]++;
  }

  /** Counts an ended wait of a task named `name`, of `kind`, that lasted `ms`. */
  waited(name: string, kind: string, ms: number): void {
    this.record(name).addWait(kind, ms);
  }

  /** Visits each name's counters in place, without the quantiles `snapshot()` sorts for: for exporters that read often. */
  forEachName(visit: (counters: NameCounters) => void): void {
    for (const record of this.byName.values()) if (!record.empty) visit(record);
  }

  snapshot(): NameStats[] {
    const out: NameStats[] = [];
    for (const r of this.byName.values()) {
      if (r.empty) continue;
      const sorted = Array.from(r.window.subarray(0, r.filled)).sort((a, b) => a - b);
      const q = (p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]);
      out.push({
        name: r.name,
        running: r.running,
        started: r.started,
        ended: r.ended,
        killed: r.killed,
        aborted: r.aborted,
        latencyMs: { count: r.ended + r.killed + r.aborted, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: r.max },
        phases: r.phases(),
      });
      const waits = r.waitStats();
      if (waits !== undefined) out[out.length - 1].waits = waits;
    }
    return out;
  }

  private record(name: string): NameRecord {
    if (name === this.lastName) return this.lastRecord!;
    let record = this.byName.get(name);
    if (record === undefined) {
      if (this.byName.size >= MAX_NAMES && name !== OTHER) return this.record(OTHER);
      record = new NameRecord(name, this.phaseText);
      this.byName.set(name, record);
    }
    this.lastName = name;
    this.lastRecord = record;
    return record;
  }
}
