/** Base class of every error proclist raises on purpose; `name` is the subclass name. */
export class ProclistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Raised at a cancellation point (and used as `signal.reason`) once a task was killed.
 * `reason` is the operator's message, if one was given.
 */
export class CancelError extends ProclistError {
  constructor(readonly id: string, readonly reason?: string) {
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
