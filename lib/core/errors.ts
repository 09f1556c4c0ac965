/** Base class of every error proclist raises on purpose; `name` is the subclass name. */
export class ProclistError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Raised at a cancellation point (and used as `signal.reason`) once a task was killed.
 * `reason` is the operator's message, if one was given.
 */
export class CancelError extends ProclistError {
  constructor(
    readonly id: string,
    readonly reason?: string,
  ) {
    super(reason === undefined ? `task ${JSON.stringify(id)} was cancelled` : `task ${JSON.stringify(id)} was cancelled: ${reason}`);
  }
}

/** The id names no live task (or, where the call allows it, no recently finished one). */
export class TaskNotFoundError extends ProclistError {
  constructor(readonly id: string) {
    super(`no such task: ${JSON.stringify(id)}`);
  }
}

/** The task was started with `forbidCancel`, so it cannot be killed. */
export class CancelForbiddenError extends ProclistError {
  constructor(readonly id: string) {
    super(`task ${JSON.stringify(id)} cannot be cancelled (started with forbidCancel)`);
  }
}

/** A task with this id is already running; the original silently replaced it, losing the first. */
export class DuplicateTaskError extends ProclistError {
  constructor(readonly id: string) {
    super(`a task with id ${JSON.stringify(id)} is already running; ids of live tasks must be unique`);
  }
}

/**
 * Tracking failed around a call that ran anyway (see README, "Tracking never breaks the call"): an
 * `@Attr` mapper, an `attrs` function or getter, a `@Status` text function threw, or a `@TaskId`
 * value was not a usable id. `site` names the decorator and method, `cause` is what was thrown.
 */
export class TrackingError extends ProclistError {
  constructor(
    readonly site: string,
    message: string,
    /** The id of the task the fault is recorded on, if one was made. */
    readonly task: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
