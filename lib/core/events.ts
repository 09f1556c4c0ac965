import type { TaskEvent, TaskListener } from "./task";

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
