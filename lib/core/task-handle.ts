/** What running code may do with its own task; `currentTask()` returns one. */
export interface TaskHandle {
  readonly id: string;
  readonly name: string;
  /** Aborted with the `CancelError` as `reason` when the task is killed; pass it to fetch, timers, streams. */
  readonly signal: AbortSignal;
  /** True once a kill was accepted. */
  readonly cancelling: boolean;
  /** Appends a status to the history; a cancellation point (throws `CancelError` once killed). */
  status(text: string): void;
  /** A cancellation point that records nothing. */
  checkCancel(): void;
  setAttribute(name: string, value: unknown): void;
  deleteAttribute(name: string): void;
}
