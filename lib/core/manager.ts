import { container, instanceCachingFactory } from "tsyringe";
import { activeTask, runInContext } from "./context";
import { armDeadline } from "./deadline";
import { CancelForbiddenError, DuplicateTaskError, TaskNotFoundError } from "./errors";
import { TaskEvents } from "./events";
import { foldExtensions, type TaskExtension } from "./extension";
import { FinishedTasks } from "./finished-tasks";
import { LiveTasks } from "./live-tasks";
import { BlockCounts, loopWatch } from "./loop-watch";
import type { HistoryEntry } from "./history";
import {
  checkManagerOptions,
  checkTaskOptions,
  DEFAULT_OPTIONS,
  definedOptions,
  type ManagerOptions,
  type ManagerOptionsInput,
  type TaskOptions,
} from "./options";
import { runInTask } from "./run-in-task";
import { TaskStats } from "./stats";
import { checkTaskFilter, isEmptyFilter, taskMatcher, type AttrText, type TaskFilter } from "./task-filter";
import { Booked, Task, type Outcome, type RequestFacts, type TaskHooks, type TaskListener } from "./task";
import { stranded } from "./stranded";
import type { TaskHandle } from "./task-handle";
import { derivedId, idProblem, nextTaskSeq, taskIdOf } from "./task-id";
import { reportFault } from "./faults";
import { now } from "./clock";
import { DEFAULT_GRACE_MS, markIgnoring, MAX_GRACE_MS, SETTLE_MS, takeRungs, whenEnded, type ForceResult, type ForceRung } from "./force";
import { cutText } from "./bound";
import { copyAttrs } from "./copy-attrs";
import { snapshot, type FinishedTaskInfo, type TaskInfo } from "./task-info";

/** Options of `run()`: a task's options plus its id (generated when absent). */
export interface RunOptions extends TaskOptions {
  id?: string | undefined;
}

/** Whether a kill by filter may cancel a task it selected (a token's scope); one it may not is refused. */
export type KillAllowed = (task: { readonly id: string; readonly name: string }) => boolean;

/** How `kill()` and `killWhere()` proceed: who asks, and whether to force (see `kill`). */
export interface KillOptions {
  /** Who asked, recorded with the kill and each rung (a peer address, a token label). */
  by?: string | undefined;
  /** Take the rungs of the ladder after the cancel if the task is still running after `graceMs`. */
  force?: boolean | undefined;
  /** How long the cancel alone is given, in ms (default 5,000; 0 forces at once; at most an hour). */
  graceMs?: number | undefined;
}

/** What a forced `killWhere()` did: the tasks cancelled and refused, and how each forced one went. */
export interface ForcedWhereResult extends KillWhereResult {
  forced: ForceResult[];
}

/** What `killWhere()` did: the ids of the matching tasks now cancelling, and of those that cannot be killed. */
export interface KillWhereResult {
  cancelled: string[];
  /** Started with `forbidCancel`: left running. */
  refused: string[];
}

/**
 * The one owner of task state: the live tasks, the recently finished ones, per-name stats.
 * Registered in tsyringe's root container as a singleton; `@Tracked` methods use it unless
 * their instance holds another manager (see README, "Which manager").
 */
export class ProcessManager {
  /** @internal */
  readonly events = new TaskEvents();
  readonly stats = new TaskStats();
  /** @internal Bumped on every change to any task and on every start and end: readers cache by it. */
  rev = 0;
  /** @internal The installed extensions' hooks; undefined while none is installed (the hot path checks only this). */
  hooks: TaskHooks | undefined = undefined;
  /** @internal Blocks of the event loop blamed on this manager's tasks, per name. */
  readonly blocks = new BlockCounts();
  /** @internal `options.blockThresholdMs`, as a field: every tracked call's end reads it. */
  blockThresholdMs: number;
  private extensions: readonly TaskExtension[] = [];
  private readonly live = new LiveTasks();
  private readonly ended: FinishedTasks;
  /** The forced kills under way, by task (see `force`). */
  private readonly forcing = new WeakMap<Task, Forcing>();
  private opts: ManagerOptions;

  constructor(options: ManagerOptionsInput = {}) {
    const [own, extensions] = splitOptions(options);
    checkManagerOptions(own);
    this.opts = Object.freeze({ ...DEFAULT_OPTIONS, ...definedOptions(own) });
    this.ended = new FinishedTasks(this.opts.keepFinished);
    this.blockThresholdMs = this.opts.blockThresholdMs;
    for (const [apply, value] of extensions) apply(this, value);
    loopWatch.start(this.blockThresholdMs);
  }

  /** The defaults for new tasks and the bounds in force. */
  get options(): Readonly<ManagerOptions> {
    return this.opts;
  }

  /** @internal */
  get maxHistory(): number {
    return this.opts.maxHistory;
  }

  /** @internal */
  get maxAttrLength(): number {
    return this.opts.maxAttrLength;
  }

  /** @internal */
  get maxStatusLength(): number {
    return this.opts.maxStatusLength;
  }

  /** Changes some options (as the original's SetOptions); tasks already running keep theirs. Throws TypeError on a bad one. */
  setOptions(options: ManagerOptionsInput): void {
    const [own, extensions] = splitOptions(options);
    checkManagerOptions(own);
    const next = Object.freeze({ ...this.opts, ...definedOptions(own) });
    if (next.keepFinished !== this.opts.keepFinished) this.ended.resize(next.keepFinished);
    this.opts = next;
    this.blockThresholdMs = next.blockThresholdMs;
    loopWatch.start(next.blockThresholdMs);
    for (const [apply, value] of extensions) apply(this, value);
  }

  /** Registers a task without entering it (the explicit API); pair it with `done(id)`. */
  start(id: string, options: TaskOptions = {}): TaskHandle {
    checkId(id);
    checkTaskOptions(options);
    const { attrs, faults } = copyAttrs(options.attrs);
    const task = this.begin(id, options.name ?? id, attrs, options.forbidCancel, options.swallowCancel, activeTask(), options.timeoutMs);
    for (const what of faults) this.fault(task, `start(${JSON.stringify(cutText(id, 60))})`, what);
    return task;
  }

  /** Runs `fn` as a task, inside its async context; sync stays sync. The task's handle is passed to `fn`. */
  run<R>(fn: (task: TaskHandle) => R, options: RunOptions = {}): R {
    const { id, ...taskOptions } = options;
    if (id !== undefined) checkId(id);
    checkTaskOptions(taskOptions);
    const name = taskOptions.name ?? (fn.name || "task");
    const { attrs, faults } = copyAttrs(taskOptions.attrs);
    const task = this.begin(id, name, attrs, taskOptions.forbidCancel, taskOptions.swallowCancel, activeTask(), taskOptions.timeoutMs);
    for (const what of faults) this.fault(task, `run() of ${name}`, what);
    return runInTask(task, fn, undefined, [task]);
  }

  /**
   * Runs `fn` inside a live task's async context, without ending the task when `fn` returns: for
   * tasks whose end is known elsewhere (a request ends with its response, see lib/requests).
   * Code `fn` starts, synchronously or after awaits, runs in the task; its tracked calls are children.
   */
  enter<R>(task: Task, fn: () => R): R {
    return runInContext(task, fn, undefined, NO_ARGS);
  }

  /**
   * Gives a running task another name (a request's, once its route is known): its counts by name
   * move with it, and a `start` event carries it. Nothing for an ended task, whose counts are final.
   * @internal
   */
  rename(task: Task, name: string): void {
    if (task.outcome !== undefined || task.name === name) return;
    const from = task.name;
    // Readonly to every other reader: only here, where its counts move with it.
    (task as { name: string }).name = name;
    if ((task.booked & Booked.Counted) !== 0) this.stats.renamed(task, from);
    task.rev++;
    this.rev++;
    // The task as it is now, under its new name: followers of the events (the page, watch) take a
    // second start of a task they know (same id and start time) as its new state.
    if (this.events.active) this.events.emit({ type: "start", task, ts: task.startTime });
  }

  /**
   * The hot path shared by `run`, `start` and `@Tracked`: no validation here, callers did it once.
   * A task started inside another becomes its child, and is cancelled with it; it inherits the
   * parent's deadline when that is earlier than its own.
   * @internal
   */
  begin(
    id: string | undefined,
    name: string,
    attrs: Record<string, unknown> | undefined,
    forbidCancel: boolean | undefined,
    swallowCancel: boolean | undefined,
    parent: Task | undefined,
    timeoutMs?: number,
    request?: RequestFacts,
  ): Task {
    let seq = 0;
    if (id === undefined) {
      // The id is spelled out only if a live id chosen by a caller could equal it.
      do seq = nextTaskSeq();
      while (this.live.hasChosenIds && this.live.hasNamed(taskIdOf(seq)));
    } else if (this.live.get(id) !== undefined) {
      throw new DuplicateTaskError(id);
    }
    const task = new Task(
      this,
      id,
      name,
      parent,
      forbidCancel ?? this.opts.forbidCancel,
      swallowCancel ?? this.opts.swallowCancel,
      attrs,
      seq,
    );
    // Before the hooks: a request task's span is named and kinded from it.
    if (request !== undefined) task.request = request;
    try {
      this.stats.started(task);
      task.booked = Booked.Counted;
      this.live.add(task);
      task.booked = Booked.Counted | Booked.Listed;
      this.rev++;
      if (this.hooks !== undefined) this.hooks.started?.(task);
      if (this.events.active) this.events.emit({ type: "start", task, ts: task.startTime });
      if (parent?.cancel !== undefined && !task.forbidCancel) task.requestCancel(parent.cancel.reason, parent.killedBy);
      if (timeoutMs !== undefined || parent?.deadline !== undefined) armDeadline(task, timeoutMs, parent);
    } catch (error) {
      // Cut short (a stack overflow): the next end of a task, with room, ends this one (no call here: no room).
      stranded.tasks.push(task);
      stranded.error ??= error;
      throw error;
    }
    return task;
  }

  /** Appends a status to a live task; unknown ids are ignored, as in the original. Throws CancelError once killed. */
  status(id: string, text: string): void {
    this.live.get(id)?.status(text);
  }

  /** A cancellation point for a live task; unknown ids are ignored. */
  checkCancel(id: string): void {
    this.live.get(id)?.checkCancel();
  }

  setAttribute(id: string, name: string, value: unknown): void {
    this.live.get(id)?.setAttribute(name, value);
  }

  deleteAttribute(id: string, name: string): void {
    this.live.get(id)?.deleteAttribute(name);
  }

  /**
   * Asks a live task, and its live descendants, to stop: their signals abort now and their next
   * cancellation point throws. A second kill changes nothing. `by` records who asked.
   *
   * With `{ force: true }`, the kill is the first step of a ladder: if the task still runs
   * `graceMs` after its cancel (default 5,000; 0 forces at once; a task cancelled that long ago
   * already is forced at once), each rung that applies is taken, in order, on it
   * and its live descendants: its request's socket destroyed, the operations it awaits aborted,
   * its worker thread terminated; still running after that, it is marked as ignoring its cancel.
   * Resolves to how far it got (see `ForceResult`); a task already cancelling is forced all the same.
   * @example await manager.kill("req-42", "stuck", { force: true, graceMs: 2000, by: "ops" })
   */
  kill(id: string, message?: string, by?: string): void;
  kill(id: string, message: string | undefined, options: KillOptions & { force: true }): Promise<ForceResult>;
  kill(id: string, message?: string, options?: string | KillOptions): Promise<ForceResult> | undefined;
  kill(id: string, message?: string, options?: string | KillOptions): Promise<ForceResult> | undefined {
    const { by, force, graceMs } = killOptions(options);
    const task = this.live.get(id);
    if (task === undefined) throw new TaskNotFoundError(id);
    if (task.forbidCancel) throw new CancelForbiddenError(id);
    this.cancel([task], message, by);
    return force ? this.force(task, graceMs, by) : undefined;
  }

  /**
   * Kills every live task the filter selects, and their live descendants, as `kill()` does each;
   * tasks started with `forbidCancel` are left running and listed as refused. The filter must
   * name something: an empty one throws a TypeError rather than kill everything.
   * `textOf` says how an attribute compares (default: a string as it is, anything else as JSON);
   * the HTTP layer passes the text its list shows, so a DELETE kills what the same GET lists.
   * `allowed`, when given, says which selected tasks the caller may kill; the others are refused too.
   * @example manager.killWhere({ name: "GET /report", attrs: { tenant: "acme" } }, "report storm", "ops")
   */
  killWhere(filter: TaskFilter, message?: string, by?: string, textOf?: AttrText, allowed?: KillAllowed): KillWhereResult;
  killWhere(
    filter: TaskFilter,
    message: string | undefined,
    options: KillOptions & { force: true },
    textOf?: AttrText,
    allowed?: KillAllowed,
  ): Promise<ForcedWhereResult>;
  killWhere(
    filter: TaskFilter,
    message?: string,
    options?: string | KillOptions,
    textOf?: AttrText,
    allowed?: KillAllowed,
  ): KillWhereResult | Promise<ForcedWhereResult>;
  killWhere(
    filter: TaskFilter,
    message?: string,
    options?: string | KillOptions,
    textOf?: AttrText,
    allowed?: KillAllowed,
  ): KillWhereResult | Promise<ForcedWhereResult> {
    const { by, force, graceMs } = killOptions(options);
    checkTaskFilter(filter);
    if (isEmptyFilter(filter)) throw new TypeError("killWhere needs a filter (name, status or attrs): an empty one would kill every task");
    const matches = taskMatcher(filter, textOf);
    // Matched first, killed after: a kill changes statuses, and so what a status filter selects.
    const selected = Array.from(this.live.values()).filter(matches);
    const result: KillWhereResult = { cancelled: [], refused: [] };
    const killed: Task[] = [];
    for (const task of selected) {
      const refused = task.forbidCancel || (allowed !== undefined && !allowed(task));
      (refused ? result.refused : result.cancelled).push(task.id);
      if (!refused) killed.push(task);
    }
    this.cancel(killed, message, by);
    if (!force) return result;
    return Promise.all(killed.map((task) => this.force(task, graceMs, by))).then((forced) => ({ ...result, forced }));
  }

  /**
   * The ladder after a kill's cancel (see `kill`): waits up to `graceMs` for the task to end,
   * then takes the rungs on it and its live descendants, then waits up to a second more, then
   * marks what still runs as ignoring its cancel. A force asked while one with an earlier or
   * equal deadline is pending on the same task joins it.
   */
  private force(task: Task, graceMs: number, by: string | undefined): Promise<ForceResult> {
    // The grace runs from the task's cancel: a task cancelled earlier and still running (by an
    // earlier kill, or a deadline) has had that part of it already, and all of it past graceMs.
    const left = Number.isNaN(task.cancelTime) ? graceMs : Math.max(0, Math.min(graceMs, task.cancelTime + graceMs - now()));
    const due = performance.now() + left;
    const pending = this.forcing.get(task);
    if (pending !== undefined && pending.due <= due) return pending.result;
    let overtake!: () => void;
    const forcing: Forcing = { due, result: undefined!, overtaken: new Promise<void>((resolve) => (overtake = resolve)), overtake };
    forcing.result = this.ladder(task, left, graceMs, by, forcing);
    // The pending one, due later, now answers with what this one does: had it gone on waiting,
    // it would see the task end by this one's rungs and call that cooperating.
    if (pending !== undefined) {
      pending.sooner = forcing.result;
      pending.overtake();
    }
    this.forcing.set(task, forcing);
    return forcing.result;
  }

  private async ladder(task: Task, left: number, graceMs: number, by: string | undefined, forcing: Forcing): Promise<ForceResult> {
    const cooperated = await Promise.race([whenEnded(task, left), forcing.overtaken.then(() => false)]);
    if (forcing.sooner !== undefined) return forcing.sooner;
    let rungs: ForceRung[] = [];
    let ended = cooperated;
    if (!cooperated) {
      const tree = this.liveTree(task);
      rungs = takeRungs(tree, by);
      if (rungs.length > 0) ended = await whenEnded(task, SETTLE_MS);
      const at = now();
      for (const t of tree) if (t.running && t.cancel !== undefined) markIgnoring(t, at);
    }
    if (this.forcing.get(task) === forcing) this.forcing.delete(task);
    const result: ForceResult = { id: task.id, graceMs, ended, cooperated, rungs, ignoringCancel: !ended };
    if (ended) result.outcome = task.outcome;
    if (this.hooks !== undefined) this.hooks.forced?.(task, result);
    return result;
  }

  /** A live task and its live descendants that can be cancelled, the task first. */
  private liveTree(task: Task): Task[] {
    const tree = [task];
    const inTree = new DescendantTest([task]);
    for (const other of this.live.values()) if (other !== task && !other.forbidCancel && inTree.has(other)) tree.push(other);
    return tree;
  }

  /**
   * Cancels live tasks and their live descendants (except those with forbidCancel), the shared
   * step of `kill`, `killWhere` and deadlines; tasks already cancelling are left as they are.
   * @internal
   */
  cancel(tasks: readonly Task[], message: string | undefined, by: string | undefined): void {
    const roots = new Set<Task>();
    for (const task of tasks) if (task.requestCancel(message, by)) roots.add(task);
    if (roots.size === 0) return;
    // Children are found by one scan: kills are rare, and a child set would cost every nested call.
    const inTree = new DescendantTest(roots);
    for (const other of this.live.values()) {
      if (!roots.has(other) && !other.forbidCancel && inTree.has(other)) other.requestCancel(message, by);
    }
  }

  /**
   * A free id for a task that asked for `id` by way of a decorator (a client's request id, say):
   * `id` itself while no live task has it, else `id~2`, `id~3`… (see README, "Task ids").
   * @internal
   */
  freeId(id: string): string {
    if (this.live.get(id) === undefined) return id;
    for (let n = 2; ; n++) {
      const candidate = derivedId(id, n);
      if (this.live.get(candidate) === undefined) return candidate;
    }
  }

  /**
   * Records a tracking fault around a call that runs anyway: on the task's `proclist.error`
   * attribute, and through the `onError` option (else once per site on stderr). Never throws.
   * @internal
   */
  fault(task: Task | undefined, site: string, what: string, cause?: unknown): void {
    reportFault(task, site, what, cause, this.opts.onError);
  }

  /** Ends a task started with `start()`: `ended` without an error, else `killed` or `aborted`. Unknown ids are ignored. */
  done(id: string, error?: unknown): void {
    const task = this.live.get(id);
    if (task !== undefined) this.end(task, error === undefined ? "ended" : this.outcomeOf(task, error), error);
  }

  /** @internal Classifies an error that ended a task: its own cancellation, or anything else. */
  outcomeOf(task: Task, error: unknown): Outcome {
    return task.isCancellation(error) ? "killed" : "aborted";
  }

  /**
   * Ends a task and books it: out of the live set, counted in the stats, kept among the finished.
   * Each step is marked done in `task.booked` as it completes, so that an end cut short by a stack
   * overflow is completed by the next call, without doing a step twice.
   * @internal
   */
  end(task: Task, outcome: Outcome, error?: unknown): void {
    if (task.outcome === undefined) {
      if (task.deadline !== undefined) clearTimeout(task.deadline.timer);
      task.end(outcome, error);
    } else if ((task.booked & Booked.Ended) !== 0) return;
    if ((task.booked & Booked.Listed) !== 0) {
      this.live.remove(task);
      task.booked &= ~Booked.Listed;
      this.rev++;
    }
    if ((task.booked & Booked.Counted) !== 0) {
      this.stats.ended(task, task.outcome!);
      task.booked &= ~Booked.Counted;
    }
    task.booked = Booked.Ended;
    this.ended.add(task);
    if (this.hooks !== undefined) this.hooks.ended?.(task, error);
  }

  /** Snapshots of the live tasks, oldest first. */
  list(): TaskInfo[] {
    return Array.from(this.live.values(), snapshot);
  }

  /** @internal The live tasks themselves, for readers that cache by `rev` (the HTTP layer). Do not mutate. */
  tasks(): IterableIterator<Task> {
    return this.live.values();
  }

  /** @internal The live tasks themselves, oldest first, in a new array (for readers that want them all at once). Do not mutate the tasks. */
  taskArray(): Task[] {
    return this.live.toArray();
  }

  get size(): number {
    return this.live.size;
  }

  /** A live task, else the newest kept finished task with that id. */
  get(id: string): Task | undefined {
    return this.live.get(id) ?? this.ended.get(id);
  }

  /** The timeline of a live or kept finished task. Throws TaskNotFoundError. */
  history(id: string): HistoryEntry[] {
    const task = this.get(id);
    if (task === undefined) throw new TaskNotFoundError(id);
    return task.history.entries();
  }

  /** Recently finished tasks, oldest first, with outcome and duration. */
  finished(): FinishedTaskInfo[] {
    return this.ended.list().map((task) => ({
      ...snapshot(task),
      outcome: task.outcome!,
      endTime: task.endTime,
      durationMs: task.endTime - task.startTime,
      killedBy: task.killedBy,
      error: task.error,
    }));
  }

  /** @internal The finished tasks themselves, oldest first. Do not mutate. */
  finishedTasks(): Task[] {
    return this.ended.list();
  }

  /**
   * Installs an extension's hooks on every task started from now on (see `TaskExtension`); returns
   * the function that removes it. Tracing and metrics reach the tasks this way.
   */
  extend(extension: TaskExtension): () => void {
    this.extensions = [...this.extensions, extension];
    this.hooks = foldExtensions(this.extensions);
    return () => {
      this.extensions = this.extensions.filter((e) => e !== extension);
      this.hooks = this.extensions.length === 0 ? undefined : foldExtensions(this.extensions);
    };
  }

  /** Listens to start / status / attr / kill / done events; returns the unsubscribe function. */
  subscribe(listener: TaskListener): () => void {
    return this.events.subscribe(listener);
  }
}

/** A forced kill under way on a task: when its grace ends, its answer, and how a force due sooner takes it over. */
interface Forcing {
  due: number;
  result: Promise<ForceResult>;
  /** Settles once a force due sooner took over; `sooner` is then that one's answer, this one's too. */
  overtaken: Promise<void>;
  overtake: () => void;
  sooner?: Promise<ForceResult>;
}

const NO_ARGS: readonly unknown[] = [];

/** A kill's third argument (who asks, or the options) checked and filled in; a TypeError names a bad option before anything is killed. */
function killOptions(options: string | KillOptions | undefined): { by: string | undefined; force: boolean; graceMs: number } {
  if (options === undefined || typeof options === "string") return { by: options, force: false, graceMs: DEFAULT_GRACE_MS };
  if (options === null || typeof options !== "object")
    throw new TypeError("kill options must be an object such as { force: true, graceMs: 2000 }");
  const { by, force, graceMs = DEFAULT_GRACE_MS } = options;
  if (by !== undefined && typeof by !== "string") throw new TypeError('invalid kill option "by": must be a string');
  if (force !== undefined && typeof force !== "boolean") throw new TypeError('invalid kill option "force": must be a boolean');
  if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > MAX_GRACE_MS)
    throw new TypeError(`invalid kill option "graceMs": must be an integer from 0 to ${MAX_GRACE_MS}`);
  return { by, force: force === true, graceMs };
}

function checkId(id: unknown): asserts id is string {
  const problem = idProblem(id);
  if (problem !== undefined)
    throw new TypeError(`invalid task id ${typeof id === "string" ? JSON.stringify(cutText(id, 60)) : String(id)}: ${problem}`);
}

/**
 * Whether tasks descend from one of `roots`, remembering the answer for every ancestor it walks through,
 * so that a scan of n live tasks costs O(n) whatever their depth (a walk to the top per task made
 * killing the root of 10,000 nested tasks quadratic). Finished tasks between two live ones count.
 * A root counts as its own descendant.
 */
class DescendantTest {
  private readonly known = new Map<Task, boolean>();

  constructor(roots: Iterable<Task>) {
    for (const root of roots) this.known.set(root, true);
  }

  has(task: Task): boolean {
    const path: Task[] = [];
    let answer = false;
    for (let at: Task | undefined = task; at !== undefined; at = at.parent) {
      const known = this.known.get(at);
      if (known !== undefined) {
        answer = known;
        break;
      }
      path.push(at);
    }
    for (const at of path) this.known.set(at, answer);
    return answer;
  }
}

// One manager per container, created on first resolve; a child container may register its own.
container.register(ProcessManager, { useFactory: instanceCachingFactory(() => new ProcessManager()) });

/** Applies one extension option's value to a manager (validating it); undefined never reaches it. */
export type ExtensionOptionApplier = (manager: ProcessManager, value: unknown) => void;

// Filled by extension modules at load (lib/otel registers `otel`); the core knows none by name.
const appliers = new Map<string, ExtensionOptionApplier>();

/** Lets `new ProcessManager({ [name]: value })` and `setOptions` switch an extension on or off. */
export function defineManagerOption(name: string, apply: ExtensionOptionApplier): void {
  appliers.set(name, apply);
}

/** Splits manager options into the core's own and the extensions' values with their appliers (undefined values left out: they keep the current state). */
export function splitOptions<T extends object>(options: T): [core: T, extensions: [ExtensionOptionApplier, unknown][]] {
  let core = options;
  const extensions: [ExtensionOptionApplier, unknown][] = [];
  if (options === null || typeof options !== "object") return [core, extensions];
  for (const [name, apply] of appliers) {
    if (!(name in options)) continue;
    if (core === options) core = { ...options };
    const value = (core as Record<string, unknown>)[name];
    delete (core as Record<string, unknown>)[name];
    if (value !== undefined) extensions.push([apply, value]);
  }
  return [core, extensions];
}
