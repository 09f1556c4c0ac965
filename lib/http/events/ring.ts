/** One event as kept for replay: its sequence number, what filters select it by, and its SSE message (with its `id:` line). */
export interface RingEntry {
  seq: number;
  /** The task id and name; undefined for a `reset`, which every client gets whatever it follows. */
  id: string | undefined;
  name: string | undefined;
  text: string;
}

/**
 * The last events of a stream, bounded in count and in characters, oldest dropped first: what a
 * client that reconnects with Last-Event-ID is given again. Sequence numbers grow by one per event.
 */
export class EventRing {
  private readonly entries: (RingEntry | undefined)[];
  private head = 0;
  private length = 0;
  private chars = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxChars: number,
  ) {
    this.entries = new Array<RingEntry | undefined>(capacity);
  }

  /** The sequence number of the oldest event kept; undefined when none is. */
  get oldest(): number | undefined {
    return this.length === 0 ? undefined : this.entries[this.head]!.seq;
  }

  push(entry: RingEntry): void {
    if (this.capacity === 0) return;
    if (this.length === this.capacity) this.shift();
    this.entries[(this.head + this.length) % this.capacity] = entry;
    this.length++;
    this.chars += entry.text.length;
    while (this.chars > this.maxChars && this.length > 1) this.shift();
  }

  /** The entries after `seq`, oldest first. */
  *after(seq: number): Generator<RingEntry> {
    for (let i = 0; i < this.length; i++) {
      const entry = this.entries[(this.head + i) % this.capacity]!;
      if (entry.seq > seq) yield entry;
    }
  }

  clear(): void {
    this.entries.fill(undefined);
    this.head = 0;
    this.length = 0;
    this.chars = 0;
  }

  private shift(): void {
    this.chars -= this.entries[this.head]!.text.length;
    this.entries[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.length--;
  }
}
