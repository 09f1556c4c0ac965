/** Called once with what a build made (and the rev it started at), or with what it threw. */
export type Waiter<T> = (error: unknown, value?: T, rev?: number) => void;

/** One slice of a build: its result once done, undefined while there is more to do. */
export type BuildStep<T> = () => T | undefined;

/**
 * A value derived from the manager (the list body, a filtered selection), rebuilt when the
 * manager's `rev` moved, a slice of work per event-loop turn (one slice per turn for all builds of
 * the process, see `later`): under churn and a flood of list requests, no request holds the loop
 * for a whole rebuild. A small rebuild finishes within its
 * first slice, so the caller is answered at once.
 *
 * One build at a time. A caller arriving while one runs shares it if the build started at the
 * rev the caller sees; otherwise it waits for the next build, which starts when this one ends.
 * So every answer shows at least every change made before its request arrived, and the kept value
 * and its rev are recorded only once a build succeeded (a failed one is retried, never served stale).
 */
export class PacedBuild<T> {
  private value: T | undefined;
  private rev = -1;
  private running: { rev: number; waiters: Waiter<T>[] } | undefined;
  private queued: Waiter<T>[] = [];

  constructor(
    private readonly revNow: () => number,
    /** Starts a build of the value as it is now: returns the function that does each slice. */
    private readonly start: () => BuildStep<T>,
  ) {}

  /** Calls `waiter` with the value as it is now (at once when it is kept or quick to rebuild). */
  get(waiter: Waiter<T>): void {
    const rev = this.revNow();
    if (rev === this.rev) return waiter(null, this.value, rev);
    if (this.running === undefined) return this.build(rev, [waiter]);
    if (this.running.rev === rev) this.running.waiters.push(waiter);
    else this.queued.push(waiter);
  }

  private build(rev: number, waiters: Waiter<T>[]): void {
    const running = { rev, waiters };
    this.running = running;
    let step: BuildStep<T> | undefined;
    const slice = (): void => {
      let value: T | undefined;
      try {
        step ??= this.start();
        value = step();
      } catch (error) {
        return this.finish(running, error, undefined);
      }
      if (value === undefined) later(slice);
      else this.finish(running, null, value);
    };
    slice();
  }

  private finish(running: { rev: number; waiters: Waiter<T>[] }, error: unknown, value: T | undefined): void {
    this.running = undefined;
    if (error === null) {
      this.value = value;
      this.rev = running.rev;
    }
    for (const waiter of running.waiters) waiter(error, value, running.rev);
    const queued = this.queued;
    this.queued = [];
    for (const waiter of queued) this.get(waiter);
  }
}

/**
 * Slices waiting for their turn, first come first served, one per event-loop turn for the whole
 * process: however many lists are being made at once (a flood of distinct hostile queries), the
 * service's own requests wait for at most one slice of list work per turn.
 */
const waiting: (() => void)[] = [];
let scheduled = false;

function later(slice: () => void): void {
  waiting.push(slice);
  if (!scheduled) {
    scheduled = true;
    setImmediate(runOne);
  }
}

function runOne(): void {
  scheduled = false;
  waiting.shift()?.();
  if (waiting.length > 0 && !scheduled) {
    scheduled = true;
    setImmediate(runOne);
  }
}
