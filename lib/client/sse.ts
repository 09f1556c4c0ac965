/** One dispatched Server-Sent Events message. */
export interface SseMessage {
  /** The `event:` field, "message" when absent. */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  /** The last `id:` seen on the stream so far (sent back as Last-Event-ID on reconnect). */
  lastEventId: string;
}

/** The longest message accepted, in characters: a proclist event is a few KB; past this the stream is broken or hostile. */
export const MAX_MESSAGE_CHARS = 16 * 1024 * 1024;

/**
 * An incremental parser for the text/event-stream format (WHATWG HTML §9.2): feed it decoded text
 * in chunks of any size; it returns the messages completed so far. Handles CRLF, CR and LF line
 * ends (also split across chunks), comments, a leading BOM, and multi-line data. Free of Node
 * APIs: the web page bundles it too. A message (or a line) growing past `maxChars` throws a
 * RangeError rather than hold the stream in memory without bound.
 */
export class SseParser {
  private buffer = "";
  private started = false;
  private pendingCr = false;
  private event = "";
  private data: string[] = [];
  private dataChars = 0;
  private lastEventId = "";
  /** The server's last `retry:` advice, in ms: how long to wait before reconnecting. */
  retryMs: number | undefined;

  constructor(private readonly maxChars = MAX_MESSAGE_CHARS) {}

  feed(chunk: string): SseMessage[] {
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    // A CR ending the previous chunk already ended its line; a LF right after it is not a new one.
    if (this.pendingCr && chunk.startsWith("\n")) chunk = chunk.slice(1);
    this.pendingCr = false;
    const out: SseMessage[] = [];
    // Scan the new chunk only and append to the kept partial line: rescanning (or flattening) the
    // whole buffer per chunk would make one long line cost quadratic time.
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buffer + chunk.slice(start, i), out);
      this.buffer = "";
      if (c === 13) {
        if (i + 1 === chunk.length) this.pendingCr = true;
        else if (chunk.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buffer += chunk.slice(start);
    if (this.buffer.length + this.dataChars > this.maxChars)
      throw new RangeError(`an events-stream message is longer than ${this.maxChars} characters`);
    return out;
  }

  private line(line: string, out: SseMessage[]): void {
    if (line === "") return this.dispatch(out);
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.event = value;
        break;
      case "data":
        this.data.push(value);
        this.dataChars += value.length + 1;
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
    }
  }

  private dispatch(out: SseMessage[]): void {
    if (this.data.length > 0) {
      out.push({ event: this.event === "" ? "message" : this.event, data: this.data.join("\n"), lastEventId: this.lastEventId });
    }
    this.event = "";
    this.data = [];
    this.dataChars = 0;
  }
}
