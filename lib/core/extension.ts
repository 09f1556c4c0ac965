import type { ForceResult } from "./force";
import type { Task, TaskHooks } from "./task";

/**
 * What a feature outside the core (tracing, metrics) may hook into a manager's tasks, installed
 * with `manager.extend()`. Every member is optional. Attribute changes reach an extension through
 * `manager.subscribe()`; these hooks cover what events cannot, or cannot cheaply: acting in the
 * caller's context at the start, running the task's code inside another context, each history
 * entry and the end without an event object per change.
 */
export interface TaskExtension {
  /** A task began, still in its caller's context (its code has not run): may set `task.fields`. */
  started?(task: Task): void;
  /** The task's code is entered (the call, or one step of an async generator): call `run` once, inside whatever context the extension keeps, and return its result. */
  enter?<R>(task: Task, run: () => R): R;
  /**
   * A running task's history got an entry at `ts`: a status, or its cancel request (then
   * `task.cancel` has just been set: the first entry that sees it set is the request's).
   */
  status?(task: Task, text: string, ts: number): void;
  /** The task ended: `outcome`, `endTime`, `killedBy` and `error` are set; `error` is what ended it, if anything did. */
  ended?(task: Task, error: unknown): void;
  /** A forced kill of the task is over: how far it got (the rungs taken, whether it ended). */
  forced?(task: Task, result: ForceResult): void;
}

/** @internal Folds extensions into hooks; a throwing `started`/`status`/`ended` cannot break the task, an `enter` that throws before `run` still runs it. */
export function foldExtensions(extensions: readonly TaskExtension[]): TaskHooks {
  const enters = extensions.filter((e) => e.enter !== undefined);
  return {
    started: guarded(extensions.map((e) => e.started?.bind(e))),
    status: guarded(extensions.map((e) => e.status?.bind(e))),
    ended: guarded(extensions.map((e) => e.ended?.bind(e))),
    forced: guarded(extensions.map((e) => e.forced?.bind(e))),
    enter: enters.length === 0 ? undefined : (task, run) => enterAll(enters, 0, task, run),
  };
}

type Hook = (a: never, b: never, c: never) => void;

/** One function calling each hook given, none of which can throw into the task; undefined when none is. Bound once: a status costs no closure. */
function guarded<H extends Hook>(hooks: readonly (H | undefined)[]): H | undefined {
  const fns = hooks.filter((hook) => hook !== undefined) as unknown as ((a: unknown, b: unknown, c: unknown) => void)[];
  if (fns.length === 0) return undefined;
  const [only] = fns;
  if (fns.length === 1) {
    return ((a: unknown, b: unknown, c: unknown) => {
      try {
        only(a, b, c);
      } catch {
        // instrumentation never breaks the code it instruments
      }
    }) as unknown as H;
  }
  return ((a: unknown, b: unknown, c: unknown) => {
    for (const fn of fns) {
      try {
        fn(a, b, c);
      } catch {
        // instrumentation never breaks the code it instruments
      }
    }
  }) as unknown as H;
}

// Per manager, the slot indices in use (see TaskSlot); a released one is taken again first.
const slotsTaken = new WeakMap<Extensible, boolean[]>();

/** A manager, as far as an extension sees it: what it is installed on. */
export interface Extensible {
  extend(extension: TaskExtension): () => void;
}

/**
 * A place on each task of one manager for one extension's own value (a span, say): an index into
 * `task.slots`, read and written without a Map. Indices are per manager, so they stay small
 * however many managers come and go. Release it once none of the manager's tasks holds a value.
 */
export class TaskSlot<T> {
  private readonly index: number;

  constructor(private readonly owner: Extensible) {
    let taken = slotsTaken.get(owner);
    if (taken === undefined) slotsTaken.set(owner, (taken = []));
    const free = taken.indexOf(false);
    this.index = free === -1 ? taken.length : free;
    taken[this.index] = true;
  }

  get(task: Task): T | undefined {
    const slots = task.slots;
    return slots === undefined ? undefined : (slots[this.index] as T | undefined);
  }

  set(task: Task, value: T | undefined): void {
    if (task.slots === undefined) {
      if (value === undefined) return;
      task.slots = [];
    }
    task.slots[this.index] = value;
  }

  release(): void {
    slotsTaken.get(this.owner)![this.index] = false;
  }
}

function enterAll<R>(extensions: readonly TaskExtension[], i: number, task: Task, run: () => R): R {
  if (i === extensions.length) return run();
  // 0: the code has not run, 1: it returned `result`, 2: it threw (or is running).
  let state = 0;
  let result: R;
  const inner = (): R => {
    state = 2;
    result = i + 1 === extensions.length ? run() : enterAll(extensions, i + 1, task, run);
    state = 1;
    return result;
  };
  try {
    return extensions[i].enter!(task, inner);
  } catch (error) {
    // The task's own error passes through; an extension's fault around it is swallowed.
    if (state === 2) throw error;
    return state === 1 ? result! : inner();
  }
}
