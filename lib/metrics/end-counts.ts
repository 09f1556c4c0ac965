import { forceOutcome, type ForceResult } from "../core/force";
import type { TaskExtension } from "../core/extension";
import { MAX_NAMES, OTHER } from "../core/stats";
import type { Outcome, Task } from "../core/task";
import { KillKinds } from "./kill-kind";

/** Durations of one name and outcome: per-bucket counts (the last is +Inf, not cumulative), sum and count. */
export class Durations {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(size: number) {
    this.counts = new Float64Array(size + 1);
  }
}

/** What ended tasks of one name add, beyond the stats: durations per outcome, kills per kind. */
export class NameEnds {
  /** Grows with every end counted here, so a writer can keep this name's text until it moves. */
  rev = 0;
  readonly durations = new Map<Outcome, Durations>();
  readonly kills = new Map<string, number>();
  /** Forced kills by who asked and how they went (`cooperated`, `forced`, `ignored`), keyed `<kind>\n<outcome>`. */
  readonly forced = new Map<string, number>();
}

/**
 * The one thing the manager does not count already: durations in buckets, and who killed. Done
 * in the manager's `ended` hook, O(buckets) per task end and nothing per call or status; every
 * other metric is read from the stats at scrape time. Names are bounded as the stats bound them.
 */
export class EndCounts implements TaskExtension {
  readonly byName = new Map<string, NameEnds>();
  readonly kinds = new KillKinds();

  constructor(
    /** Upper bounds in seconds, ascending. */
    readonly buckets: readonly number[],
  ) {}

  ended(task: Task): void {
    const record = this.record(task.name);
    record.rev++;
    const outcome = task.outcome!;
    let durations = record.durations.get(outcome);
    if (durations === undefined) record.durations.set(outcome, (durations = new Durations(this.buckets.length)));
    const seconds = (task.endTime - task.startTime) / 1000;
    let i = 0;
    while (i < this.buckets.length && seconds > this.buckets[i]) i++;
    durations.counts[i]++;
    durations.sum += seconds;
    durations.count++;
    if (task.cancel !== undefined) {
      const kind = this.kinds.of(task.killedBy);
      record.kills.set(kind, (record.kills.get(kind) ?? 0) + 1);
    }
  }

  /** A forced kill is over: counted by who asked and how it went, once. */
  forced(task: Task, result: ForceResult): void {
    const record = this.record(task.name);
    record.rev++;
    const key = `${this.kinds.of(task.killedBy)}\n${forceOutcome(result)}`;
    record.forced.set(key, (record.forced.get(key) ?? 0) + 1);
  }

  /** The label of a name: itself, or "(other)" past the bound, without creating a record. */
  labelOf(name: string): string {
    return this.byName.has(name) || this.byName.size < MAX_NAMES ? name : OTHER;
  }

  /** The name's record; past the stats' bound on names, the "(other)" one. */
  record(name: string): NameEnds {
    let record = this.byName.get(name);
    if (record === undefined) {
      if (this.byName.size >= MAX_NAMES && name !== OTHER) return this.record(OTHER);
      this.byName.set(name, (record = new NameEnds()));
    }
    return record;
  }
}
