import type { Outcome, Task } from "./task";

/** Latest durations kept per name for quantiles: enough for a stable p99, bounded in memory. */
const LATENCY_WINDOW = 2048;
/** Names and phases past these counts are folded into OTHER, so odd status strings cannot grow memory. */
const MAX_NAMES = 1000;
const MAX_PHASES = 200;
/** History positions whose phase record is remembered, so a repeated sequence skips the Map. */
const CACHED_POSITIONS = 16;
export const OTHER = "(other)";

/** Time spent in one status over completed tasks. */
export interface PhaseStats {
  count: number;
  totalMs: number;
}

/** Counters and latency quantiles for one task name, over completed tasks. */
export interface NameStats {
  name: string;
  running: number;
  started: number;
  ended: number;
  killed: number;
  aborted: number;
  latencyMs: { count: number; p50: number; p90: number; p99: number; max: number };
  phases: Record<string, PhaseStats>;
}

class NameRecord {
  running = 0;
  started = 0;
  ended = 0;
  killed = 0;
  aborted = 0;
  max = 0;
  readonly window = new Float64Array(LATENCY_WINDOW);
  filled = 0;
  next = 0;
  readonly phases = new Map<string, PhaseStats>();
  // Tasks of one name mostly pass through the same statuses in the same order: remember, per
  // position in the history, the last status seen there and its record. A hit is one identity
  // comparison (status texts are usually the same string constant) instead of a Map lookup.
  private readonly seenStatus: (string | undefined)[] = new Array<string | undefined>(CACHED_POSITIONS).fill(undefined);
  private readonly seenPhase: (PhaseStats | undefined)[] = new Array<PhaseStats | undefined>(CACHED_POSITIONS).fill(undefined);

  constructor(readonly name: string) {}

  addDuration(ms: number): void {
    this.window[this.next] = ms;
    this.next = this.next + 1 === LATENCY_WINDOW ? 0 : this.next + 1;
    if (this.filled < LATENCY_WINDOW) this.filled++;
    if (ms > this.max) this.max = ms;
  }

  /** Adds time spent in the status found at `position` of a task's history. */
  addPhaseAt(position: number, status: string, ms: number): void {
    if (position < CACHED_POSITIONS) {
      let phase = this.seenStatus[position] === status ? this.seenPhase[position] : undefined;
      if (phase === undefined) {
        phase = this.phaseOf(status);
        this.seenStatus[position] = status;
        this.seenPhase[position] = phase;
      }
      phase.count++;
      phase.totalMs += ms;
    } else this.addPhase(status, ms);
  }

  addPhase(status: string, ms: number): void {
    const phase = this.phaseOf(status);
    phase.count++;
    phase.totalMs += ms;
  }

  private phaseOf(status: string): PhaseStats {
    let phase = this.phases.get(status);
    if (phase === undefined) {
      if (this.phases.size >= MAX_PHASES && status !== OTHER) return this.phaseOf(OTHER);
      phase = { count: 0, totalMs: 0 };
      this.phases.set(status, phase);
    }
    return phase;
  }
}

/** Per-name counters kept by a manager: started, running, outcomes, latency and time per status. */
export class TaskStats {
  private readonly byName = new Map<string, NameRecord>();
  // The last record asked for: a hot method's calls hit it with one identity comparison.
  private lastName: string | undefined = undefined;
  private lastRecord: NameRecord | undefined = undefined;

  started(task: Task): void {
    const record = this.record(task.name);
    record.started++;
    record.running++;
  }

  finished(task: Task, outcome: Outcome): void {
    const record = this.record(task.name);
    record.running--;
    record[outcome]++;
    record.addDuration(task.endTime - task.startTime);
    const history = task.history;
    let since = history.timeAt(0);
    for (let k = 1; k < history.length; k++) {
      const ts = history.timeAt(k);
      record.addPhaseAt(k - 1, history.statusAt(k - 1), ts - since);
      since = ts;
    }
  }

  snapshot(): NameStats[] {
    const out: NameStats[] = [];
    for (const r of this.byName.values()) {
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
        phases: Object.fromEntries(r.phases),
      });
    }
    return out;
  }

  private record(name: string): NameRecord {
    if (name === this.lastName) return this.lastRecord!;
    let record = this.byName.get(name);
    if (record === undefined) {
      if (this.byName.size >= MAX_NAMES && name !== OTHER) return this.record(OTHER);
      record = new NameRecord(name);
      this.byName.set(name, record);
    }
    this.lastName = name;
    this.lastRecord = record;
    return record;
  }
}
