import { now } from "./clock";
import { CancelError } from "./errors";
import { boundAttr, cutText } from "./bound";
import { History } from "./history";
import type { ManagerOptions } from "./options";
import type { TaskHandle } from "./task-handle";
import { taskIdOf } from "./task-id";

// A task and what passes between it and its owner (events, hooks, the deadline, `TaskOwner`) live
// here together, with the types of what it holds for the waits, the forced kills and the extensions,
// so that the core's other modules, the manager among them, import this one and it imports none of
// them back.

/**
 * Bits of `Task.booked`. Each is set once its step has fully happened, so that a stack overflow
 * that cuts a start or an end short leaves a record of what is left to do (see stranded.ts).
 * @internal
 */
export const enum Booked {
  /** Counted as started (and running) in the stats. */
  Counted = 1,
  /** In the live set. */
  Listed = 2,
  /** Fully ended: out of the live set, counted as ended, kept among the finished. */
  Ended = 4,
}

/** What a tracked request's task knows of its request: its method and path, its route once known, the status answered. */
export interface RequestFacts {
  method: string;
  /** The path without its query. */
  path: string;
  /** `https` on a TLS connection, else `http`. */
  scheme: string;
  /** The framework's route (`/orders/:id`) once routing found it. */
  route: string | undefined;
  /** The response's status code, once it ended. */
  status: number | undefined;
}

/** How a task ended: returned normally, ended by its cancellation, or by any other error. */
export type Outcome = "ended" | "killed" | "aborted";

/** What happened to a task; `ts` is epoch ms with sub-ms precision. */
export type TaskEvent =
  | { type: "start"; task: Task; ts: number }
  | { type: "status"; task: Task; ts: number; status: string }
  | { type: "attr"; task: Task; ts: number; name: string; value: unknown; deleted: boolean }
  | { type: "kill"; task: Task; ts: number; message: string | undefined; by: string | undefined }
  | { type: "done"; task: Task; ts: number; outcome: Outcome }
  /** What the task waits on changed (a wait began or ended): `task.waits` holds them now. */
  | { type: "wait"; task: Task; ts: number };

export type TaskListener = (event: TaskEvent) => void;

/** A task's deadline: when it falls due (epoch ms), the timeout it came from, and the timer that enforces it. */
export interface Deadline {
  readonly at: number;
  /** The `timeoutMs` that set this deadline: the task's own, or an ancestor's it inherited. */
  readonly ms: number;
  /** Undefined for a task that cannot be killed: its children still inherit the deadline. */
  readonly timer: ReturnType<typeof setTimeout> | undefined;
  /** The task whose `timeoutMs` set it: this one, or the ancestor it inherited it from. */
  readonly source: Task;
}

/** @internal The installed extensions folded into one function per hook; a hook nobody installed is undefined, so the hot path pays one check. */
export interface TaskHooks {
  started: ((task: Task) => void) | undefined;
  enter: (<R>(task: Task, run: () => R) => R) | undefined;
  status: ((task: Task, text: string, ts: number) => void) | undefined;
  ended: ((task: Task, error: unknown) => void) | undefined;
  forced: ((task: Task, result: ForceResult) => void) | undefined;
}

/**
 * What a task, and the code that runs it, needs of the manager that owns it: its limits, its
 * change counter, where events and hooks go, and the steps that begin, cancel and end tasks.
 * The manager implements it; the task knows nothing else of the manager.
 * @internal
 */
export interface TaskOwner {
  readonly maxHistory: number;
  readonly maxAttrLength: number;
  readonly maxStatusLength: number;
  /** Bumped on every visible change of any of its tasks. */
  rev: number;
  /** The options the waits of its tasks follow (see waits.ts). */
  readonly options: Readonly<Pick<ManagerOptions, "waits" | "waitHistoryMs">>;
  /** Where the time of its tasks' waits is counted. */
  readonly stats: { waited(name: string, kind: string, ms: number): void };
  readonly events: { readonly active: boolean; emit(event: TaskEvent): void };
  /** A task's synchronous code holding the event loop this long is a block (see loop-watch.ts). */
  readonly blockThresholdMs: number;
  /** Where the blocks its tasks are blamed for are counted, per name. */
  readonly blocks: { add(name: string, seconds: number): void };
  /** The installed extensions' hooks; undefined while none is installed. */
  readonly hooks: TaskHooks | undefined;
  begin(
    id: string | undefined,
    name: string,
    attrs: Record<string, unknown> | undefined,
    forbidCancel: boolean | undefined,
    swallowCancel: boolean | undefined,
    parent: Task | undefined,
    timeoutMs?: number,
  ): Task;
  /** A free id for a task that asked for `id` by way of a decorator: `id` itself, or `id~2`, `id~3`… */
  freeId(id: string): string;
  cancel(tasks: readonly Task[], message: string | undefined, by: string | undefined): void;
  outcomeOf(task: Task, error: unknown): Outcome;
  end(task: Task, outcome: Outcome, error?: unknown): void;
  fault(task: Task | undefined, site: string, what: string, cause?: unknown): void;
}

/** How a wait ended: its operation completed, failed, or was aborted (a signal, a kill, a forced abort). */
export type WaitOutcome = "ok" | "error" | "aborted";

/** A finished wait as the task's history keeps it (only those that lasted `waitHistoryMs` or more). */
export interface PastWait {
  kind: string;
  target: string;
  /** When it began, epoch ms. */
  since: number;
  durationMs: number;
  outcome: WaitOutcome;
}

/** A task's finished waits kept for its history: the newest `MAX_WAIT_LOG`, and how many older ones were let go. */
export interface WaitLog {
  readonly waits: PastWait[];
  dropped: number;
}

/**
 * An operation the task awaits, as the task holds it: what kind, on what, since when (epoch ms).
 * waits.ts makes them (its `Wait`) and ends them; a forced kill aborts them.
 */
export interface OpenWait {
  readonly kind: string;
  readonly target: string;
  readonly since: number;
  /** Set once ended; an ended wait is out of its task's list. */
  readonly outcome: WaitOutcome | undefined;
  /** Whether `abort` can stop the operation (its source knows how, and it is still running). */
  readonly abortable: boolean;
  /** Stops the operation, with `reason` as its error where the source takes one; false when it cannot. Never throws. */
  abort(reason: unknown): boolean;
}

/**
 * What a forced kill can take away from a task that ignores its cancel, in the order it is taken:
 * `request` its client (the request is answered if it was not, and its socket destroyed),
 * `waits` the operations it awaits (aborted, so the awaiting code gets an error now), `worker`
 * the worker thread running its work (terminated; the pool starts another).
 */
export type ForceRung = "request" | "waits" | "worker";

/**
 * One thing a task holds that a forced kill can take away. `force` does it and returns what it
 * did, as the history shows it ("socket closed"), or undefined when there was nothing left to do.
 */
export interface Forcer {
  readonly rung: ForceRung;
  force(): string | undefined;
}

/** How a forced kill went, for its caller, the HTTP answer and the audit: which rungs, and whether the task ended. */
export interface ForceResult {
  id: string;
  /** The grace given to the cancel before the first rung. */
  graceMs: number;
  /** Whether the task ended, by the cancel alone or by the rungs, within the wait (the grace, then up to a second after the rungs). */
  ended: boolean;
  /** How it ended, when it did. */
  outcome?: Outcome;
  /** Whether it ended within the grace, on its cancel alone (no rung was needed). */
  cooperated: boolean;
  /** The rungs taken, in order, on the task or on one of its live descendants. */
  rungs: ForceRung[];
  /** Still running after every rung: marked as ignoring its cancel. */
  ignoringCancel: boolean;
}

/**
 * One tracked task: identity, attributes, bounded history and cancellation state.
 * Knows nothing of HTTP or JSON; the manager owns the set of tasks.
 */
export class Task implements TaskHandle {
  readonly history: History;
  readonly attrs: Record<string, unknown>;
  /** Bumped on every visible change, so readers can cache what they derive from a task. */
  rev = 0;
  /** @internal What a tracked request's task knows of its request (for its span); undefined for every other task. */
  request: RequestFacts | undefined = undefined;
  /** @internal Which of its manager's books record the task (see `Booked`): a start or end cut short by a stack overflow is completed later. */
  booked = 0;
  /** Set once a kill is accepted; also the signal's reason. */
  cancel: CancelError | undefined = undefined;
  /** Who asked for the kill (peer address, token label), when the caller said. */
  killedBy: string | undefined = undefined;
  outcome: Outcome | undefined = undefined;
  /** The message of the error that aborted the task. */
  error: string | undefined = undefined;
  /** Identifiers an extension attached as the task began (e.g. `traceId`, `spanId`); shown with the task. */
  fields: Readonly<Record<string, string>> | undefined = undefined;
  /** @internal Extensions' own values on this task, one index each (see `TaskSlot`); undefined until one is set. */
  slots: unknown[] | undefined = undefined;
  /** Set only for a task with a deadline, its own or inherited (see deadline.ts). */
  deadline: Deadline | undefined = undefined;
  /** The operations the task is waiting on now, oldest first; undefined while none (see waits.ts). */
  waits: OpenWait[] | undefined = undefined;
  /** @internal Its finished waits that lasted `waitHistoryMs` or more, for its history; undefined until one did. */
  waitLog: WaitLog | undefined = undefined;
  /** Epoch ms of the accepted kill's history entry; NaN until killed. */
  cancelTime = NaN;
  /**
   * Set when a forced kill found the task still running after every rung it could take (see
   * force.ts): the epoch ms of the cancel it ignores. Stays set on the finished task.
   */
  ignoringCancelSince: number | undefined = undefined;
  /** @internal What holds the task that a forced kill can take away (see `onForce`); undefined while nothing does. */
  forcers: Forcer[] | undefined = undefined;
  /** @internal Called once when the task ends (see `whenEnded`); undefined while nobody waits. */
  endWaiters: (() => void)[] | undefined = undefined;
  private controller: AbortController | undefined = undefined;
  /**
   * Called once when a kill is accepted, before the signal aborts: what a request's tracking uses
   * to answer the kill without creating the signal (reading it costs ~2 µs and ~730 bytes, and
   * most requests are never killed). One listener, set by whoever runs the task.
   * @internal
   */
  onCancel: ((task: Task) => void) | undefined = undefined;

  /** The id: the caller's, or a generated one spelled out on first use (most are never read). */
  private idText: string | undefined;

  /** @internal */
  constructor(
    /** @internal */
    readonly owner: TaskOwner,
    /** The caller's id, or undefined to use the generated id numbered `seq`. */
    id: string | undefined,
    /** Its name; a running request's may change once, when its route is known (its manager's `rename`). */
    readonly name: string,
    readonly parent: Task | undefined,
    readonly forbidCancel: boolean,
    readonly swallowCancel: boolean,
    /** Taken over, not copied: callers pass a fresh object. */
    attrs: Record<string, unknown> | undefined,
    /** @internal The number of a generated id (see task-id.ts), 0 when the caller chose the id. */
    readonly seq: number = 0,
  ) {
    this.idText = id;
    this.history = new History(owner.maxHistory, now(), "init");
    this.attrs = attrs ?? {};
    // Writes only the values it bounds: writing every value back costs ~20 ns more per task.
    if (attrs !== undefined) {
      const max = owner.maxAttrLength;
      for (const key in attrs) {
        const value = attrs[key];
        if (typeof value === "string" ? value.length > max : typeof value === "object" ? value !== null : typeof value === "function")
          attrs[key] = boundAttr(value, max);
      }
    }
  }

  get id(): string {
    return (this.idText ??= taskIdOf(this.seq));
  }

  /** Epoch ms of the end (the last history entry's time), NaN while running. */
  get endTime(): number {
    return this.outcome === undefined ? NaN : this.history.lastTime;
  }

  get cancelling(): boolean {
    return this.cancel !== undefined;
  }

  get running(): boolean {
    return this.outcome === undefined;
  }

  get startTime(): number {
    return this.history.firstTime;
  }

  /** Created on first use: reading `.signal` costs ~2 µs and ~730 bytes, most tasks never need it. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.cancel !== undefined) this.controller.abort(this.cancel);
    }
    return this.controller.signal;
  }

  status(text: string): void {
    if (this.outcome !== undefined) return;
    const max = this.owner.maxStatusLength;
    this.record(typeof text === "string" && text.length <= max ? text : cutText(shown(text), max));
    if (this.cancel !== undefined) throw this.cancel;
  }

  checkCancel(): void {
    if (this.cancel !== undefined && this.outcome === undefined) throw this.cancel;
  }

  setAttribute(name: string, value: unknown): void {
    if (this.outcome !== undefined) return;
    const bounded = this.bound(value);
    this.attrs[name] = bounded;
    this.rev++;
    this.owner.rev++;
    if (this.owner.events.active) this.owner.events.emit({ type: "attr", task: this, ts: now(), name, value: bounded, deleted: false });
  }

  deleteAttribute(name: string): void {
    if (this.outcome !== undefined || !(name in this.attrs)) return;
    delete this.attrs[name];
    this.rev++;
    this.owner.rev++;
    if (this.owner.events.active) this.owner.events.emit({ type: "attr", task: this, ts: now(), name, value: undefined, deleted: true });
  }

  /** @internal Marks the task cancel-pending and aborts its signal; false when it already was. */
  requestCancel(message: string | undefined, by: string | undefined): boolean {
    if (this.cancel !== undefined || this.outcome !== undefined) return false;
    if (message !== undefined) message = cutText(message, this.owner.maxStatusLength);
    this.cancel = new CancelError(this.id, message);
    this.killedBy = by;
    const entry = message === undefined ? "[cancel request]" : `[cancel request: ${message}]`;
    this.appendEntry(entry);
    this.cancelTime = this.history.lastTime;
    this.owner.hooks?.status?.(this, entry, this.history.lastTime);
    if (this.owner.events.active) this.owner.events.emit({ type: "kill", task: this, ts: this.history.lastTime, message, by });
    this.onCancel?.(this);
    this.controller?.abort(this.cancel);
    return true;
  }

  /** @internal Whether `error` is this task's own cancellation surfacing (our CancelError, or an abort caused by our signal). */
  isCancellation(error: unknown): boolean {
    if (error instanceof CancelError) return error.id === this.id || this.cancel !== undefined;
    if (this.cancel === undefined || error === null || typeof error !== "object") return false;
    const e = error as { name?: unknown; cause?: unknown };
    return e.name === "AbortError" || e.cause === this.cancel;
  }

  /** @internal Ends the task: records `ended`, `killed[: message]` or `aborted` as the last history entry. */
  end(outcome: Outcome, error?: unknown): void {
    if (this.outcome !== undefined) return;
    let entry: string = outcome;
    if (outcome === "killed" && this.cancel?.reason !== undefined) entry = `killed: ${this.cancel.reason}`;
    if (outcome === "aborted") this.error = cutText(shown(error instanceof Error ? error.message : error), this.owner.maxStatusLength);
    this.appendEntry(entry);
    this.outcome = outcome;
    // Operations still open are no longer this task's: they may run on, but it shows none.
    this.waits = undefined;
    // No abort can come any more: let go of the signal and whatever listens to it (a request's
    // response, a fetch), which a kept finished task would otherwise hold until it is evicted.
    this.controller = undefined;
    this.onCancel = undefined;
    this.forcers = undefined;
    if (this.owner.events.active) this.owner.events.emit({ type: "done", task: this, ts: this.history.lastTime, outcome });
    const waiters = this.endWaiters;
    if (waiters !== undefined) {
      this.endWaiters = undefined;
      for (const wake of waiters) wake();
    }
  }

  /**
   * Appends a mark the task did not make itself (a forced kill's rung, or that it ignores its
   * cancel) to a running task's history: seen by extensions and listeners as a status, never a
   * cancellation point.
   * @internal
   */
  mark(text: string): void {
    if (this.outcome !== undefined) return;
    this.record(cutText(text, this.owner.maxStatusLength));
  }

  /**
   * Records on the history that the task's code held the event loop `ms` long, then its status
   * again: the block is an event, not a phase the task is in.
   * @internal
   */
  noteBlock(ms: number): void {
    if (this.outcome !== undefined) return;
    const status = this.history.lastStatus;
    this.record(`blocked the event loop ${blockDuration(ms)}`);
    this.record(status);
  }

  private record(text: string): void {
    this.appendEntry(text);
    const hooks = this.owner.hooks;
    if (hooks !== undefined && hooks.status !== undefined) hooks.status(this, text, this.history.lastTime);
    if (this.owner.events.active) this.owner.events.emit({ type: "status", task: this, ts: this.history.lastTime, status: text });
  }

  private appendEntry(text: string): void {
    this.history.append(now(), text);
    this.rev++;
    this.owner.rev++;
  }

  private bound(value: unknown): unknown {
    const max = this.owner.maxAttrLength;
    return typeof value === "string" && value.length <= max ? value : boundAttr(value, max);
  }
}

/** A value as text, even one whose own `toString` or getters throw. */
function shown(value: unknown): string {
  try {
    return String(value);
  } catch {
    return "(a value that cannot be shown)";
  }
}

/**
 * "1.2 s", "0.3 s": how long a block lasted, as its history entry says it. Tenths of a second, so
 * that the entries of one name's blocks share a few texts (each is a status in the name's stats).
 */
export function blockDuration(ms: number): string {
  return `${(ms / 1e3).toFixed(1)} s`;
}
