import { createHistogram, type RecordableHistogram } from "node:perf_hooks";
import { now } from "./clock";
import { syncWatch } from "./sync-watch";
import type { Task } from "./task";

/** How often the loop's delay is sampled: a timer this often, its lateness is the delay. */
const TICK_MS = 20;
/** The delay window is kept as histograms of this span each… */
const BUCKET_MS = 10_000;
/** …this many of them, the newest still filling: the window reaches 50–60 s back. */
const BUCKETS = 6;
/** Blocks listed by `recentBlocks()`. */
const LISTED = 20;
/** Names counted apart; the rest are folded into OTHER, as the stats fold them. */
const MAX_NAMES = 1000;
const OTHER = "(other)";

/** The event loop's delay over the last minute, in ms: how late a timer due now would run. */
export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** How far back the figures reach (50–60 s once the process has run that long). */
  windowMs: number;
}

/** Blocks of the event loop blamed on one task name. */
export interface BlockTotals {
  count: number;
  seconds: number;
}

/** One block of the event loop: when it ended (epoch ms), how long, and the task blamed, if any. */
export interface LoopBlock {
  endTime: number;
  ms: number;
  /** Absent when no task's synchronous code could be tied to the block. */
  name?: string;
  id?: string;
}

/** Blocks per task name, bounded to MAX_NAMES names. */
export class BlockCounts {
  private readonly byName = new Map<string, BlockTotals>();

  add(name: string, seconds: number): void {
    let totals = this.byName.get(name);
    if (totals === undefined) {
      if (this.byName.size >= MAX_NAMES) return this.add(OTHER, seconds);
      totals = { count: 0, seconds: 0 };
      this.byName.set(name, totals);
    }
    totals.count++;
    totals.seconds += seconds;
  }

  forEach(visit: (name: string, totals: Readonly<BlockTotals>) => void): void {
    for (const [name, totals] of this.byName) visit(name, totals);
  }
}

/**
 * The process's event-loop watch, on from the first manager on: a 20 ms unref'd timer measures how
 * late it runs (the loop's delay, kept as a histogram per 10 s), and tells of a block it saw
 * (lateness past the smallest `blockThresholdMs`) that no task's synchronous code was blamed for.
 *
 * Blame itself comes from `leave` (context.ts): the synchronous part of a tracked call (or of a
 * step of a tracked generator, or of `manager.run`) that took the threshold or longer held the
 * loop all that time, since nothing else runs while it does. Its own time counts, not that of
 * tracked calls inside it that were blamed themselves (however many: what `syncWatch.blamedMs`
 * grew by meanwhile). A late tick likewise counts only what no block blamed since the last tick
 * accounts for. What it cannot see: code after an `await`
 * (a continuation runs without passing through `enter`), timers and callbacks the task scheduled,
 * and code outside any task; those blocks are counted unattributed, unless a CPU profile runs,
 * whose log of context switches names the task current during the block.
 */
class LoopWatch {
  /** The smallest threshold of any manager: the lateness that counts as a block. */
  thresholdMs = Infinity;
  /** Blocks no task could be blamed for. */
  readonly unattributed: BlockTotals = { count: 0, seconds: 0 };
  /** While a CPU profile runs: how long each task's code was current between two epoch times, by its log. */
  timeByTask: ((start: number, end: number) => Map<Task, number>) | undefined = undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastTick = 0;
  private readonly buckets: RecordableHistogram[] = [];
  private bucketStart = 0;
  /** `syncWatch.blamedMs` at the last tick. */
  private blamedAtTick = 0;
  /** Per task, the blocks blamed on it since the last tick. */
  private readonly blamedSinceTick = new Map<Task, number>();
  private readonly listed: LoopBlock[] = [];

  start(thresholdMs: number): void {
    this.thresholdMs = Math.min(this.thresholdMs, thresholdMs);
    if (this.timer !== undefined) return;
    this.lastTick = this.bucketStart = now();
    this.buckets.push(createHistogram());
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    this.blamedAtTick = syncWatch.blamedMs;
    syncWatch.held = (task, ms, end) => this.held(task, ms, end);
  }

  /** The delay's p50, p99 and max over the window; zeros before the first measurement. */
  delay(): LoopDelay {
    const merged = createHistogram();
    for (const bucket of this.buckets) merged.add(bucket);
    const windowMs =
      this.buckets.length === 0 ? 0 : Math.min(now() - this.bucketStart + (this.buckets.length - 1) * BUCKET_MS, BUCKETS * BUCKET_MS);
    if (merged.count === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0, windowMs };
    return { p50Ms: merged.percentile(50) / 1e6, p99Ms: merged.percentile(99) / 1e6, maxMs: merged.max / 1e6, windowMs };
  }

  /** The last blocks seen, newest last. */
  recentBlocks(): LoopBlock[] {
    return this.listed.map((block) => ({ ...block }));
  }

  private tick(): void {
    const t = now();
    const previous = this.lastTick;
    const lag = Math.max(0, t - previous - TICK_MS);
    this.lastTick = t;
    if (t - this.bucketStart >= BUCKET_MS) {
      this.buckets.push(createHistogram());
      if (this.buckets.length > BUCKETS) this.buckets.shift();
      this.bucketStart = t;
    }
    this.buckets[this.buckets.length - 1].record(Math.max(1, Math.round(lag * 1e6)));
    if (lag >= this.thresholdMs) this.loopBlocked(previous, t, lag);
    this.blamedAtTick = syncWatch.blamedMs;
    if (this.blamedSinceTick.size !== 0) this.blamedSinceTick.clear();
  }

  /** A task's own synchronous code held the loop `ms` until `end` (epoch ms), past its manager's threshold. */
  private held(task: Task, ms: number, end: number): void {
    try {
      this.blame(task, end, ms);
    } catch {
      // instrumentation never breaks the code it instruments
    }
  }

  /** The timer ran `lag` ms late at `end`; the loop was held somewhere after `since`, for what the blocks blamed since do not account for. */
  private loopBlocked(since: number, end: number, lag: number): void {
    let rest = lag - (syncWatch.blamedMs - this.blamedAtTick);
    if (rest < this.thresholdMs) return;
    // While a profile runs, its log tells whose code was current meanwhile: the task with the most
    // of that time left over once its own blocks since the last tick are taken off gets the block,
    // as far as that time goes. A task whose time there was all blamed already is not blamed again
    // for code the log did not see (outside any task, or a continuation no hook told of).
    let culprit: Task | undefined;
    let unblamed = 0;
    for (const [task, ms] of this.timeByTask?.(since, end) ?? []) {
      const own = ms - (this.blamedSinceTick.get(task) ?? 0);
      if (own > unblamed) [culprit, unblamed] = [task, own];
    }
    if (culprit !== undefined && unblamed >= this.thresholdMs) {
      const ms = Math.min(rest, unblamed);
      this.blame(culprit, end, ms);
      rest -= ms;
      if (rest < this.thresholdMs) return;
    }
    this.unattributed.count++;
    this.unattributed.seconds += rest / 1e3;
    this.list({ endTime: end, ms: rest });
  }

  private blame(task: Task, end: number, ms: number): void {
    syncWatch.blamedMs += ms;
    this.blamedSinceTick.set(task, (this.blamedSinceTick.get(task) ?? 0) + ms);
    task.owner.blocks.add(task.name, ms / 1e3);
    task.noteBlock(ms);
    this.list({ endTime: end, ms, name: task.name, id: task.id });
  }

  private list(block: LoopBlock): void {
    this.listed.push(block);
    if (this.listed.length > LISTED) this.listed.shift();
  }
}

export const loopWatch = new LoopWatch();
