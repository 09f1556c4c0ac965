import type { Task } from "./task";

/** The most recently finished tasks, oldest evicted first; findable by id (the newest of an id wins). */
export class FinishedTasks {
  private ring: (Task | undefined)[] = [];
  private next = 0;
  private readonly byId = new Map<string, Task>();

  constructor(private capacity: number) {}

  resize(capacity: number): void {
    const kept = this.list().slice(-capacity || this.ring.length);
    this.capacity = capacity;
    this.ring = [];
    this.next = 0;
    this.byId.clear();
    if (capacity > 0) for (const task of kept) this.add(task);
  }

  add(task: Task): void {
    if (this.capacity === 0) return;
    const evicted = this.ring[this.next];
    if (evicted !== undefined && this.byId.get(evicted.id) === evicted) this.byId.delete(evicted.id);
    this.ring[this.next] = task;
    this.next = (this.next + 1) % this.capacity;
    this.byId.set(task.id, task);
  }

  get(id: string): Task | undefined {
    return this.byId.get(id);
  }

  /** Oldest first. */
  list(): Task[] {
    const out: Task[] = [];
    for (let i = 0; i < this.ring.length; i++) {
      const task = this.ring[(this.next + i) % this.ring.length];
      if (task !== undefined) out.push(task);
    }
    return out;
  }
}
