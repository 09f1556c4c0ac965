import { createHook, type AsyncHook } from "node:async_hooks";
import { now } from "../core/clock";
import { taskContext } from "../core/context";
import { syncWatch } from "../core/sync-watch";
import type { Task, TaskOwner } from "../core/task";

/** Switches logged at most (~32 MB); past it the rest of the profile is counted unattributed. */
const MAX_SWITCHES = 2_000_000;
/** Live figures kept before the first sweep of those of tasks that ended. */
const SWEEP_FROM = 10_000;

/**
 * What the log keeps of a task: its id and name for the table, its owner for the live figures, and
 * the task itself only weakly. A busy service runs millions of tasks in a minute's profile: kept
 * whole (with their histories and attributes, ~1 KB each) they would hold gigabytes until it ends.
 */
export interface LoggedTask {
  readonly id: string;
  readonly name: string;
  /** @internal The task's manager, for the live figures (internal, as TaskOwner is). */
  readonly owner: TaskOwner;
  readonly task: WeakRef<Task>;
}

/**
 * While a profile runs: when (epoch ms) the current task changed, and to which, so that each CPU
 * sample can be given the task that was current at its time. Switches come from two places:
 * `enter`/`leave` (a tracked call's synchronous part, see context.ts) and async hooks' `before`
 * and `after` around every callback and promise continuation, where the task is the storage's
 * store (restored by Node on every runtime). Only changes are logged. The hooks exist only while
 * a profile runs: they cost a call per callback, which nothing pays otherwise. While they run, a
 * task current past its manager's `blockThresholdMs` without a switch is blamed for the block
 * even when that was code after an await, which `leave` cannot see.
 *
 * On Node 24+ (AsyncContextFrame) V8 gives no hook to the continuation of an `await` that began
 * before the hooks were on (it made no promise for the await then), so a task's code can run while
 * the log says no task is current. A tracked async call settling (`touch`) tells of it: the time
 * since the last switch or callback boundary was that task's continuation, and is logged (and
 * blamed, past the threshold) as its own. What that cannot see: such a continuation that awaits
 * again rather than settling; and untracked code in the same run of microtasks just before it is
 * counted as the task's.
 */
export class TaskLog {
  readonly times: number[] = [];
  readonly tasks: (LoggedTask | undefined)[] = [];
  /** When the log filled up and stopped, else undefined. */
  fullAt: number | undefined = undefined;
  /**
   * Per task, ms its code was current so far: the live CPU figure while the profile runs. Those of
   * tasks that ended are swept out whenever it has doubled since the last sweep.
   */
  readonly onCpu = new Map<LoggedTask, number>();
  private sweepAt = SWEEP_FROM;
  private readonly logged = new WeakMap<Task, LoggedTask>();
  private current: Task | undefined;
  private currentLogged: LoggedTask | undefined;
  private since = 0;
  private readonly stack: (Task | undefined)[] = [];
  private hook: AsyncHook | undefined;
  /**
   * Where (epoch ms) code no hook saw may have begun: the last switch or callback boundary, or,
   * inside a callback entered with no task current, the boundary before it (V8 runs such a
   * continuation as a microtask just before the callback that settles its call).
   */
  private unseenFrom = 0;

  start(): void {
    this.current = taskContext.getStore();
    this.currentLogged = this.current === undefined ? undefined : this.log(this.current);
    this.since = this.unseenFrom = now();
    this.times.push(this.since);
    this.tasks.push(this.currentLogged);
    const mark = (task: Task | undefined) => {
      const t = now();
      this.markAt(task, t);
      this.unseenFrom = t;
    };
    this.hook = createHook({
      before: () => {
        const t = now();
        const previous = this.current;
        this.stack.push(previous);
        this.markAt(taskContext.getStore(), t);
        if (previous !== undefined) this.unseenFrom = t;
      },
      after: () => {
        const t = now();
        if (this.stack.length !== 0) this.markAt(this.stack.pop(), t);
        this.unseenFrom = t;
      },
    });
    this.hook.enable();
    syncWatch.mark = mark;
    syncWatch.touch = (task) => this.touch(task);
  }

  stop(): void {
    this.hook?.disable();
    this.hook = undefined;
    if (syncWatch.mark !== undefined) syncWatch.mark = undefined;
    if (syncWatch.touch !== undefined) syncWatch.touch = undefined;
    this.markAt(undefined, now());
  }

  /** The task current at `time`, by the log (undefined: none, or past a full log). */
  at(time: number, from = 0): { task: LoggedTask | undefined; index: number } {
    let index = from;
    while (index + 1 < this.times.length && this.times[index + 1] <= time) index++;
    return { task: this.fullAt !== undefined && time >= this.fullAt ? undefined : this.tasks[index], index };
  }

  /**
   * How long each task was current between two epoch times, by the log (a task the garbage
   * collector has taken since it ended is left out).
   */
  timeBetween(start: number, end: number): Map<Task, number> {
    const spent = new Map<LoggedTask, number>();
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid] <= start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = Math.max(0, lo - 1); i < this.times.length && this.times[i] < end; i++) {
      const task = this.tasks[i];
      if (task === undefined) continue;
      const from = Math.max(this.times[i], start);
      const to = Math.min(i + 1 < this.times.length ? this.times[i + 1] : end, end);
      spent.set(task, (spent.get(task) ?? 0) + Math.max(0, to - from));
    }
    const live = new Map<Task, number>();
    for (const [logged, ms] of spent) {
      const task = logged.task.deref();
      if (task !== undefined) live.set(task, ms);
    }
    return live;
  }

  /**
   * `task`'s code runs now though no task is current by the log: since the last switch or callback
   * boundary it ran without a hook (see the class), so that time is logged as its own.
   */
  private touch(task: Task): void {
    if (this.current !== undefined || this.fullAt !== undefined) return;
    const t = now();
    const from = Math.max(this.unseenFrom, this.since);
    this.unseenFrom = this.since = t;
    if (t - from <= 0) return;
    const logged = this.log(task);
    this.addCpu(logged, t - from);
    if (t - from >= task.owner.blockThresholdMs) syncWatch.held(task, t - from, t);
    if (this.times.length + 2 > MAX_SWITCHES) return;
    if (this.times[this.times.length - 1] === from) this.tasks[this.tasks.length - 1] = logged;
    else {
      this.times.push(from);
      this.tasks.push(logged);
    }
    this.times.push(t);
    this.tasks.push(undefined);
  }

  private markAt(task: Task | undefined, t: number): void {
    if (task === this.current) return;
    const previous = this.current;
    if (previous !== undefined) {
      this.addCpu(this.currentLogged!, t - this.since);
      // A continuation that held the loop past the threshold: blamed now, while its task still runs.
      if (t - this.since >= previous.owner.blockThresholdMs) syncWatch.held(previous, t - this.since, t);
    }
    this.current = task;
    this.currentLogged = task === undefined ? undefined : this.log(task);
    this.since = t;
    if (this.fullAt !== undefined) return;
    if (this.times.length >= MAX_SWITCHES) {
      this.fullAt = t;
      return;
    }
    this.times.push(t);
    this.tasks.push(this.currentLogged);
  }

  /** What the log keeps of `task`: one record per task for the whole profile. */
  private log(task: Task): LoggedTask {
    let logged = this.logged.get(task);
    if (logged === undefined) {
      logged = { id: task.id, name: task.name, owner: task.owner, task: new WeakRef(task) };
      this.logged.set(task, logged);
    }
    return logged;
  }

  private addCpu(logged: LoggedTask, ms: number): void {
    this.onCpu.set(logged, (this.onCpu.get(logged) ?? 0) + ms);
    if (this.onCpu.size < this.sweepAt) return;
    for (const key of this.onCpu.keys()) if (key.task.deref()?.running !== true) this.onCpu.delete(key);
    this.sweepAt = Math.max(SWEEP_FROM, this.onCpu.size * 2);
  }
}
