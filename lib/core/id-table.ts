/** Slots to start with; the table doubles once live and deleted keys would fill half of it. */
const INITIAL_SLOTS = 16;
/** A deleted slot: probes go on past it, `set` may reuse it. */
const DELETED = null;

/**
 * A table of values by string id: open addressing with linear probing, the id's hash computed here
 * (FNV-1a over its UTF-16 units, from a per-process random basis so that ids an outside client
 * chooses cannot be made to collide on purpose).
 *
 * Not a Map: from Node 26 on, the first Map (or Set, or object) lookup of a string that is not yet
 * internalized costs ~450–1,000 ns, against ~100 ns on Node 24 (`bench/cases/calls.ts`'s explicit
 * API row; measured with fresh `e${i}` keys), and a task id chosen by the caller (`start(id)`,
 * `@TaskId`, a request's id header) is such a string, looked up once as it starts. Hashing it here
 * costs ~20 ns for a short id on every release, and the id is compared, never internalized.
 */
export class IdTable<V> {
  private keys: (string | typeof DELETED | undefined)[] = new Array(INITIAL_SLOTS).fill(undefined);
  private values: (V | undefined)[] = new Array(INITIAL_SLOTS).fill(undefined);
  private mask = INITIAL_SLOTS - 1;
  /** Slots holding a key or a deletion mark: what makes probes long. */
  private used = 0;
  size = 0;

  get(id: string): V | undefined {
    const keys = this.keys;
    for (let i = hash(id) & this.mask; ; i = (i + 1) & this.mask) {
      const key = keys[i];
      if (key === undefined) return undefined;
      if (key === id) return this.values[i];
    }
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  set(id: string, value: V): void {
    const keys = this.keys;
    let free = -1;
    let i = hash(id) & this.mask;
    for (; ; i = (i + 1) & this.mask) {
      const key = keys[i];
      if (key === undefined) break;
      if (key === id) {
        this.values[i] = value;
        return;
      }
      if (key === DELETED && free < 0) free = i;
    }
    if (free < 0) {
      if ((this.used + 1) * 2 > keys.length) {
        this.rehash();
        return this.set(id, value);
      }
      free = i;
      this.used++;
    }
    keys[free] = id;
    this.values[free] = value;
    this.size++;
  }

  delete(id: string): boolean {
    const keys = this.keys;
    for (let i = hash(id) & this.mask; ; i = (i + 1) & this.mask) {
      const key = keys[i];
      if (key === undefined) return false;
      if (key === id) {
        keys[i] = DELETED;
        this.values[i] = undefined;
        this.size--;
        return true;
      }
    }
  }

  /** Makes the table again without its deletion marks, twice as large when live keys fill a quarter of it. */
  private rehash(): void {
    const keys = this.keys;
    const values = this.values;
    const slots = (this.size + 1) * 4 > keys.length ? keys.length * 2 : keys.length;
    this.keys = new Array(slots).fill(undefined);
    this.values = new Array(slots).fill(undefined);
    this.mask = slots - 1;
    this.size = 0;
    this.used = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key !== undefined && key !== DELETED) this.set(key, values[i] as V);
    }
  }
}

/** This process's FNV-1a offset basis: random, so collisions cannot be precomputed. */
const BASIS = (Math.random() * 0x1_0000_0000) | 0;

function hash(id: string): number {
  let h = BASIS;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
