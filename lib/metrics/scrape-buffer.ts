/**
 * The bytes of one scrape as they are written: a buffer that grows when it must, with writers for
 * what a scrape is made of (UTF-8 text, bytes kept from before, numbers), none of which builds a
 * string it could write directly.
 */
/** Below this, a value's microseconds are a safe integer. */
const MAX_MICROS = Number.MAX_SAFE_INTEGER / 1e6;

export class ScrapeBuffer {
  at = 0;

  constructor(public buffer: Buffer) {}

  /** Makes room for `bytes` more bytes; a buffer outgrown is left as it was (what was written there stays valid). */
  room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(bigger, 0, 0, this.at);
    this.buffer = bigger;
  }

  text(text: string): void {
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit; near the end, count them rather than grow for nothing.
    if (this.at + text.length * 3 > this.buffer.length) this.room(Buffer.byteLength(text));
    this.at += this.buffer.write(text, this.at);
  }

  /** Copies `from..to` of `source` (a run of lines kept from an earlier scrape). */
  copy(source: Buffer, from: number, to: number): void {
    this.room(to - from);
    this.at += source.copy(this.buffer, this.at, from, to);
  }

  /** Copies a short slice byte by byte: for a line's start, cheaper than a native copy's set-up. */
  slice(source: Buffer, from: number, to: number): void {
    this.room(to - from + 32);
    const buffer = this.buffer;
    let at = this.at;
    for (let i = from; i < to; i++) buffer[at++] = source[i];
    this.at = at;
  }

  /**
   * A sample's value and the line's end (room for it was made by `slice`). Counts are written
   * digit by digit; other values are seconds, written to the microsecond the same way: the
   * shortest exact form (`String`) cost ~0.5 µs a value here, most of a scrape where every name changed.
   */
  value(value: number): void {
    if (Number.isInteger(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
      this.digits(value);
    } else if (value > 0 && value < MAX_MICROS) {
      const micros = Math.round(value * 1e6);
      this.digits(Math.floor(micros / 1e6));
      let fraction = micros % 1e6;
      if (fraction !== 0) {
        let width = 6;
        while (fraction % 10 === 0) {
          fraction /= 10;
          width--;
        }
        this.buffer[this.at++] = 0x2e;
        this.at += width;
        for (let i = 1; i <= width; i++, fraction = Math.floor(fraction / 10)) this.buffer[this.at - i] = 0x30 + (fraction % 10);
      }
    } else {
      const text = Number.isNaN(value) ? "NaN" : value === Infinity ? "+Inf" : value === -Infinity ? "-Inf" : String(value);
      // Digits, sign, point and exponent only: one byte each.
      for (let i = 0; i < text.length; i++) this.buffer[this.at++] = text.charCodeAt(i);
    }
    this.buffer[this.at++] = 0x0a;
  }

  /** A non-negative safe integer in decimal. */
  private digits(value: number): void {
    let width = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) width++;
    this.at += width;
    let rest = value;
    for (let i = 1; i <= width; i++, rest = Math.floor(rest / 10)) this.buffer[this.at - i] = 0x30 + (rest % 10);
  }
}

/**
 * Where each scrape's bytes go. Fresh memory costs page faults (at 3.3 MiB, more than copying
 * the unchanged lines), so a buffer is written again once its answer has been sent, but never
 * the last scrape's (the next one copies unchanged lines out of it) nor one still on its way.
 */
export class ScrapeBuffers {
  private size = 64 * 1024;
  private last: ArrayBufferLike | undefined = undefined;
  private lastSent = false;
  private older: ArrayBufferLike | undefined = undefined;
  private olderSent = false;

  /** A buffer for the next scrape. */
  next(): ScrapeBuffer {
    const spare = this.olderSent && this.older !== undefined && this.older.byteLength >= this.size ? this.older : undefined;
    this.older = undefined;
    return new ScrapeBuffer(spare === undefined ? Buffer.allocUnsafe(this.size) : Buffer.from(spare));
  }

  /** The scrape written into `out` is done: its bytes are the body served. */
  done(out: ScrapeBuffer): Buffer {
    // Grown in steps, not to each scrape's length: a spare buffer must stay big enough to be used again.
    if (out.at * 1.1 > this.size) this.size = Math.ceil(out.at * 1.25);
    this.older = this.last;
    this.olderSent = this.lastSent;
    this.last = out.buffer.buffer;
    this.lastSent = false;
    return out.buffer.subarray(0, out.at);
  }

  /** `body` has been sent: the socket is done with it. */
  sent(body: Buffer): void {
    if (body.buffer === this.older) this.olderSent = true;
    else if (body.buffer === this.last) this.lastSent = true;
  }
}
