/** One Server-Sent Event: its `event:` field (default `message`) and its `data:` lines joined. */
export interface SseMessage {
  event: string;
  data: string;
}

/**
 * The Server-Sent Events wire format, decoded from text chunks as they arrive (a line may be split
 * across chunks). Written by hand because the page reads the stream with `fetch`: `EventSource`
 * cannot send an Authorization header, and a token in the URL would end up in logs.
 */
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];

  constructor(private readonly onMessage: (message: SseMessage) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let start = 0;
    for (;;) {
      const cr = this.buffer.indexOf("\r", start);
      const lf = this.buffer.indexOf("\n", start);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) break;
      // A CR at the very end may be the first half of CRLF: wait for the next chunk to know.
      if (end === cr && end === this.buffer.length - 1) break;
      this.line(this.buffer.slice(start, end));
      start = end + (end === cr && this.buffer[end + 1] === "\n" ? 2 : 1);
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string): void {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
  }

  private dispatch(): void {
    if (this.data.length !== 0) this.onMessage({ event: this.event || "message", data: this.data.join("\n") });
    this.event = "";
    this.data = [];
  }
}
