import type { Task } from "./task";

/**
 * The most recently finished tasks, oldest evicted first; findable by id (the newest of an id wins).
 *
 * Kept in a plain ring without an id index: a long-lived Map that gains and loses an entry on every
 * call rehashes its table in the old generation, ~100 bytes of old-space garbage per task that cost
 * the whole process frequent full GCs. Lookups by id are rare (an operator asking about one task),
 * so they scan the ring, newest first.
 */
export class FinishedTasks {
  private ring: (Task | undefined)[] = [];
  private next = 0;

  constructor(private capacity: number) {}

  resize(capacity: number): void {
    const kept = this.list().slice(-capacity || this.ring.length);
    this.capacity = capacity;
    this.ring = [];
    this.next = 0;
    if (capacity > 0) for (const task of kept) this.add(task);
  }

  add(task: Task): void {
    if (this.capacity === 0) return;
    this.ring[this.next] = task;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
  }

  get(id: string): Task | undefined {
    const { ring, next } = this;
    for (let i = next - 1; i >= 0; i--) if (ring[i]!.id === id) return ring[i];
    for (let i = ring.length - 1; i >= next; i--) if (ring[i]!.id === id) return ring[i];
    return undefined;
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
