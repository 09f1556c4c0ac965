import type { Task, Outcome } from "./task";

/** What happened to a task; `ts` is epoch ms with sub-ms precision. */
export type TaskEvent =
  | { type: "start"; task: Task; ts: number }
  | { type: "status"; task: Task; ts: number; status: string }
  | { type: "attr"; task: Task; ts: number; name: string; value: unknown; deleted: boolean }
  | { type: "kill"; task: Task; ts: number; message: string | undefined; by: string | undefined }
  | { type: "done"; task: Task; ts: number; outcome: Outcome };

export type TaskListener = (event: TaskEvent) => void;

/** Fan-out of task events. Costs one length check per change while nobody listens. */
export class TaskEvents {
  private listeners: TaskListener[] = [];

  get active(): boolean {
    return this.listeners.length !== 0;
  }

  /** Adds a listener; returns the function that removes it. A throwing listener cannot break a task. */
  subscribe(listener: TaskListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(event: TaskEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // a monitor's fault must never become the service's fault
      }
    }
  }
}
