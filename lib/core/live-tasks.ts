import { IdTable } from "./id-table";
import type { Task } from "./task";

/** Ring slots to start with; the ring doubles whenever live tasks would fill half of it. */
const INITIAL_RING = 256;
/** Finished tasks tolerated in the order list before it is compacted (plus as many as are live). */
const COMPACT_SLACK = 32;

/**
 * The live tasks of a manager: in start order, found by id, counted.
 *
 * Not a Map keyed by id: a long-lived Map that gains and loses an entry on every call rehashes its
 * table in the old generation, ~150 bytes of old-space garbage per task, and the full GCs that
 * follow slow the whole process. Instead:
 * - start order is an array that only grows at the end; finished tasks are dropped from it in one
 *   pass once they outnumber the live ones (amortized O(1), and a young array each time);
 * - generated ids (a base-36 sequence number) are found in a ring indexed by that number, which is
 *   plain array stores; a task that outlives its ring slot moves to the table below;
 * - ids the caller chose (`@TaskId`, `start(id)`) are kept in an IdTable (id-table.ts: not a Map,
 *   whose lookup of a fresh string costs ~0.5–1 µs from Node 26 on), as are those movers.
 * A task is live from `add` until it has finished and `remove` was called.
 */
export class LiveTasks {
  private order: Task[] = [];
  /** How many entries of `order` are finished tasks awaiting compaction. */
  private stale = 0;
  private ring: (Task | undefined)[] = new Array<Task | undefined>(INITIAL_RING).fill(undefined);
  private mask = INITIAL_RING - 1;
  private readonly byId = new IdTable<Task>();
  /** Live tasks whose id the caller chose (the table also holds generated ids that outlived their slot). */
  private chosen = 0;
  size = 0;

  /** The live task with this id, if any. */
  get(id: string): Task | undefined {
    const named = this.byId.size === 0 ? undefined : this.byId.get(id);
    if (named !== undefined) return named;
    // Anything that is not a generated id parses to some slot whose task has another id, or to NaN (slot 0).
    const task = this.ring[parseInt(id, 36) & this.mask];
    return task !== undefined && task.id === id ? task : undefined;
  }

  /**
   * Whether any live task has an id its caller chose: only such an id can equal a generated one.
   * Not "the table is not empty": one long-lived task displaced from the ring would then make every
   * later start spell its id out and look it up (~50–100 ns and a string each).
   */
  get hasChosenIds(): boolean {
    return this.chosen !== 0;
  }

  /** Whether a live task kept by id has this one. */
  hasNamed(id: string): boolean {
    return this.byId.has(id);
  }

  /** Adds a task; `task.seq` is its generated id's number, or 0 when the caller chose the id. */
  add(task: Task): void {
    // Every call first, then the changes (plain stores and builtins): a stack overflow in the
    // middle leaves the set as it was, not half-changed (see Task.booked).
    if (task.seq === 0) {
      const id = task.id;
      this.order.push(task);
      this.size++;
      this.chosen++;
      this.byId.set(id, task);
      return;
    }
    if ((this.size + 1) * 2 > this.ring.length) this.grow();
    const slot = task.seq & this.mask;
    const occupant = this.ring[slot];
    const occupantId = occupant?.id;
    this.order.push(task);
    this.size++;
    if (occupant !== undefined) this.byId.set(occupantId!, occupant);
    this.ring[slot] = task;
  }

  /** Removes a task that has finished; a task not in the set is left alone. */
  remove(task: Task): void {
    const slot = task.seq & this.mask;
    if (task.seq !== 0 && this.ring[slot] === task) this.ring[slot] = undefined;
    else if (this.byId.get(task.id) === task) {
      this.byId.delete(task.id);
      if (task.seq === 0) this.chosen--;
    } else return;
    this.size--;
    if (++this.stale > this.size + COMPACT_SLACK) {
      // A new array rather than in place, so that iterators already running keep a stable list.
      this.order = this.toArray();
      this.stale = 0;
    }
  }

  /** The live tasks, oldest first. Tasks added while iterating may or may not be visited. */
  *values(): IterableIterator<Task> {
    const order = this.order;
    for (let i = 0; i < order.length; i++) if (order[i].running) yield order[i];
  }

  /**
   * The live tasks, oldest first, as a new array: a tenth of the cost of collecting `values()`.
   * A loop into an array of the final size: `filter` with the `running` getter took 3.5× as long
   * (0.36 against 0.10 ms at 10,000 tasks, Node 20 and 24), and the list's every rebuild under
   * churn starts with this copy.
   */
  toArray(): Task[] {
    const order = this.order;
    const out = new Array<Task>(this.size);
    let n = 0;
    for (let i = 0; i < order.length; i++) {
      const task = order[i];
      if (task.outcome === undefined) out[n++] = task;
    }
    out.length = n;
    return out;
  }

  private grow(): void {
    const ring = new Array<Task | undefined>(this.ring.length * 2).fill(undefined);
    const mask = ring.length - 1;
    for (const task of this.ring) {
      if (task === undefined) continue;
      const occupant = ring[task.seq & mask];
      if (occupant !== undefined) this.byId.set(occupant.id, occupant);
      ring[task.seq & mask] = task;
    }
    this.ring = ring;
    this.mask = mask;
  }
}
