import type { ServerResponse } from "node:http";
import type { TaskEvent } from "../../core/events";
import type { ProcessManager } from "../../core/manager";
import { eventText } from "./text";

/** Where a hub's events come from: one manager's, or a fleet's relayed through Redis. */
export interface EventSource<E> {
  /** Starts listening (called when the first client arrives); returns the function that stops. */
  subscribe(listener: (event: E) => void): () => void;
  idOf(event: E): string;
  nameOf(event: E): string;
  /** The event as one SSE message. */
  text(event: E): string;
}

/** The events of one manager. */
export function managerEvents(manager: ProcessManager): EventSource<TaskEvent> {
  return { subscribe: (listener) => manager.subscribe(listener), idOf: (e) => e.task.id, nameOf: (e) => e.task.name, text: eventText };
}

/** What one client asked to follow: one task id, one task name, or everything. */
export interface EventFilter {
  id?: string;
  name?: string;
}

interface Client {
  res: ServerResponse;
  filter: EventFilter;
  pending: string;
}

const HEARTBEAT = ": ping\n\n";
const DROPPED = ": dropped: this client fell too far behind; reconnect and re-read /procs/\n\n";

/**
 * Fans task events out to Server-Sent Events clients. Subscribes to the manager only while a
 * client listens (events cost the service nothing otherwise), formats each event once, and
 * batches what a tick produced into one write per client. Memory is bounded: a client whose
 * unsent data passes `bufferBytes` is dropped rather than buffered without end.
 */
export class EventHub<E = TaskEvent> {
  private readonly clients = new Set<Client>();
  private unsubscribe: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private flushScheduled = false;
  private closed = false;

  constructor(
    private readonly source: EventSource<E>,
    private readonly heartbeatMs: number,
    private readonly bufferBytes: number,
    private readonly maxClients: number,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  get full(): boolean {
    return this.clients.size >= this.maxClients;
  }

  /** Starts streaming to `res` (headers already sent) until the client goes or the hub closes. */
  add(res: ServerResponse, filter: EventFilter): void {
    if (this.closed) return void res.end();
    const client: Client = { res, filter, pending: "" };
    this.clients.add(client);
    res.on("close", () => this.remove(client));
    if (this.unsubscribe === undefined) this.unsubscribe = this.source.subscribe((event) => this.onEvent(event));
    if (this.heartbeat === undefined) {
      this.heartbeat = setInterval(() => this.ping(), this.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /** Ends every stream and stops listening; later clients are answered with an ended stream. */
  close(): void {
    this.closed = true;
    for (const client of this.clients) {
      this.flushClient(client);
      client.res.end();
      this.remove(client);
    }
  }

  /** Events were missed upstream: every client is dropped, to reconnect and read the list afresh. */
  resync(): void {
    for (const client of [...this.clients]) this.drop(client);
  }

  private onEvent(event: E): void {
    let text: string | undefined;
    const { source } = this;
    for (const client of this.clients) {
      const { id, name } = client.filter;
      if ((id !== undefined && source.idOf(event) !== id) || (name !== undefined && source.nameOf(event) !== name)) continue;
      text ??= source.text(event);
      client.pending += text;
      if (client.pending.length + client.res.writableLength > this.bufferBytes) this.drop(client);
    }
    if (text !== undefined && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const client of this.clients) this.flushClient(client);
  }

  private flushClient(client: Client): void {
    if (client.pending === "") return;
    const text = client.pending;
    client.pending = "";
    client.res.write(text);
  }

  private ping(): void {
    for (const client of this.clients) {
      if (client.res.writableLength + HEARTBEAT.length > this.bufferBytes) this.drop(client);
      else if (client.pending === "") client.res.write(HEARTBEAT);
    }
  }

  /** A client that cannot keep up: say why (for curl users), end, and cut it if it never drains. */
  private drop(client: Client): void {
    this.remove(client);
    client.pending = "";
    client.res.end(DROPPED);
    setTimeout(() => client.res.destroy(), 5_000).unref();
  }

  private remove(client: Client): void {
    if (!this.clients.delete(client)) return;
    if (this.clients.size === 0) {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }
}
