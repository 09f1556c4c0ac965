import { sendingBodies, whenNoneSending } from "./pacing";
import { inTurn } from "./pacing";

/** Called once with what a build made (and the rev it started at), or with what it threw. */
export type Waiter<T> = (error: unknown, value?: T, rev?: number) => void;

/** One slice of a build: its result once done, undefined while there is more to do. */
export type BuildStep<T> = () => T | undefined;

/**
 * A value derived from the manager (the list body, a filtered selection), rebuilt when the
 * manager's `rev` moved, a slice of work per event-loop turn (one slice per turn for all builds of
 * the process, see `inTurn`): under churn and a flood of list requests, no request holds the loop
 * for a whole rebuild. A small rebuild finishes within its first slice, so the caller is answered
 * at once.
 *
 * One build at a time. A caller arriving while one runs shares it if the build started at the
 * rev the caller sees; otherwise it waits for the next build, which starts when this one ends.
 * So every answer shows at least every change made before its request arrived, and the kept value
 * and its rev are recorded only once a build succeeded (a failed one is retried, never served stale).
 *
 * Rebuilds are spaced: the next one starts no sooner than REBUILD_GAP times what the last one's
 * slices took after it ended, and every caller that arrives until then shares it. Under churn the
 * rev moves between any two requests, so without a gap each request paid a whole rebuild (at
 * 10,000 tasks, about as much CPU as sending the 2.5 MB body); with it, rebuilds take at most about
 * 1 / (1 + REBUILD_GAP) of the process however many requests come. A gap over a millisecond is
 * kept only while large bodies are being sent (else the process would wait idle: it ends when the
 * last one does); a shorter one (a small list) lasts to the next event-loop turn, so the requests
 * read in one turn share the rebuild.
 */
export class PacedBuild<T> {
  private value: T | undefined;
  private rev = -1;
  private running: { rev: number; waiters: Waiter<T>[] } | undefined;
  private queued: Waiter<T>[] = [];
  /** When the next build may start (`performance.now()`), and whether one is set to start then. */
  private notBefore = 0;
  private waiting = false;
  /** How many builds were started (for specs and measurements). */
  builds = 0;

  constructor(
    private readonly revNow: () => number,
    /** Starts a build of the value as it is now: returns the function that does each slice. */
    private readonly start: () => BuildStep<T>,
  ) {}

  /** Calls `waiter` with the value as it is now (at once when it is kept or quick to rebuild). */
  get(waiter: Waiter<T>): void {
    const rev = this.revNow();
    if (rev === this.rev) return waiter(null, this.value, rev);
    if (this.running?.rev === rev) return void this.running.waiters.push(waiter);
    this.queued.push(waiter);
    if (this.running === undefined && !this.waiting) this.startQueued();
  }

  /** Starts a build for the callers queued, now or once the gap since the last build has passed. */
  private startQueued(): void {
    const wait = this.notBefore - performance.now();
    if (wait > 0 && (wait < 1 || sendingBodies())) {
      this.waiting = true;
      let timer: NodeJS.Timeout | undefined = undefined;
      let unhook: (() => void) | undefined = undefined;
      const go = (): void => {
        if (!this.waiting) return;
        this.waiting = false;
        clearTimeout(timer);
        unhook?.();
        this.startQueued();
      };
      // A gap under a millisecond (a small list) lasts to the next turn: the requests read in this
      // one share the build.
      if (wait < 1) return void setImmediate(go);
      timer = setTimeout(go, wait).unref();
      unhook = whenNoneSending(go);
      return;
    }
    const queued = this.queued;
    this.queued = [];
    const rev = this.revNow();
    // A caller queued for a rev that has been built since is answered from it.
    if (rev === this.rev) for (const waiter of queued) waiter(null, this.value, rev);
    else this.build(rev, queued);
  }

  private build(rev: number, waiters: Waiter<T>[]): void {
    const running = { rev, waiters };
    this.running = running;
    this.builds++;
    let step: BuildStep<T> | undefined;
    let cpu = 0;
    const slice = (): void => {
      let value: T | undefined;
      const began = performance.now();
      try {
        step ??= this.start();
        value = step();
      } catch (error) {
        return this.finish(running, error, undefined, 0);
      }
      cpu += performance.now() - began;
      if (value === undefined) inTurn(slice);
      else this.finish(running, null, value, cpu);
    };
    slice();
  }

  private finish(running: { rev: number; waiters: Waiter<T>[] }, error: unknown, value: T | undefined, cpu: number): void {
    this.running = undefined;
    this.notBefore = performance.now() + REBUILD_GAP * cpu;
    if (error === null) {
      this.value = value;
      this.rev = running.rev;
    }
    for (const waiter of running.waiters) waiter(error, value, running.rev);
    if (this.queued.length > 0 && !this.waiting) this.startQueued();
  }
}

/** The pause after a build, as a multiple of the time its slices took. */
const REBUILD_GAP = 3;
