import type { Task } from "./task";

/**
 * What a feature outside the core (tracing, metrics) may hook into a manager's tasks, installed
 * with `manager.extend()`. Every member is optional. Statuses, attributes and kills reach an
 * extension through `manager.subscribe()`; these hooks cover what events cannot: acting in the
 * caller's context at the start, running the task's code inside another context, and the end
 * without an event object per change.
 */
export interface TaskExtension {
  /** A task began, still in its caller's context (its code has not run): may set `task.fields`. */
  started?(task: Task): void;
  /** The task's code is entered (the call, or one step of an async generator): call `run` once, inside whatever context the extension keeps, and return its result. */
  enter?<R>(task: Task, run: () => R): R;
  /** The task ended: `outcome`, `endTime`, `killedBy` and `error` are set; `error` is what ended it, if anything did. */
  ended?(task: Task, error: unknown): void;
}

/** The installed extensions folded into one function per hook; a hook nobody installed is undefined, so the hot path pays one check. */
export interface ExtensionHooks {
  started: ((task: Task) => void) | undefined;
  enter: (<R>(task: Task, run: () => R) => R) | undefined;
  ended: ((task: Task, error: unknown) => void) | undefined;
}

/** Folds extensions into hooks; a throwing `started`/`ended` cannot break the task, an `enter` that throws before `run` still runs it. */
export function foldExtensions(extensions: readonly TaskExtension[]): ExtensionHooks {
  const started = extensions.filter((e) => e.started !== undefined);
  const ended = extensions.filter((e) => e.ended !== undefined);
  const enters = extensions.filter((e) => e.enter !== undefined);
  return {
    started: started.length === 0 ? undefined : (task) => each(started, (e) => e.started!(task)),
    ended: ended.length === 0 ? undefined : (task, error) => each(ended, (e) => e.ended!(task, error)),
    enter: enters.length === 0 ? undefined : (task, run) => enterAll(enters, 0, task, run),
  };
}

function each(extensions: readonly TaskExtension[], call: (e: TaskExtension) => void): void {
  for (const extension of extensions) {
    try {
      call(extension);
    } catch {
      // instrumentation never breaks the code it instruments
    }
  }
}

function enterAll<R>(extensions: readonly TaskExtension[], i: number, task: Task, run: () => R): R {
  if (i === extensions.length) return run();
  // 0: the code has not run, 1: it returned `result`, 2: it threw (or is running).
  let state = 0;
  let result: R;
  const inner = (): R => {
    state = 2;
    result = enterAll(extensions, i + 1, task, run);
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
