import type { ServerResponse } from "node:http";
import type { TaskEvent } from "../../core/task";
import type { ProcessManager } from "../../core/manager";
import { EventRing, type RingEntry } from "./ring";
import { eventText } from "./text";
import { formatTime } from "../responses/time";

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

/** How many events a hub keeps for replay, and for how long it keeps recording once the last client left. */
export interface ReplayOptions {
  /** Events kept (0: none, so a reconnecting client is always told to reset). */
  events: number;
  /** Characters kept at most, whatever the count: events carrying large attributes make the ring shorter. */
  maxChars: number;
  /** After the last client leaves, events are still recorded this long for it to come back to. */
  keepMs: number;
}

export const DEFAULT_REPLAY: ReplayOptions = { events: 10_000, maxChars: 32 << 20, keepMs: 60_000 };

/** The replay options of a server's config. */
export function replayOptions(config: { eventReplay: number; eventReplayKeepMs: number }): ReplayOptions {
  return { ...DEFAULT_REPLAY, events: config.eventReplay, keepMs: config.eventReplayKeepMs };
}

const HEARTBEAT = ": ping\n\n";
const DROPPED = ": dropped: this client fell too far behind; reconnect with Last-Event-ID\n\n";

/**
 * Fans task events out to Server-Sent Events clients. Subscribes to the source only while a
 * client listens, or did within `replay.keepMs` (events cost the service nothing otherwise),
 * formats each event once, and batches what a tick produced into one write per client. Memory is
 * bounded: a client whose unsent data passes `bufferBytes` is dropped rather than buffered
 * without end.
 *
 * Every event carries an `id:` of the form `<stream>.<seq>`: the stream names one period of
 * listening (it changes when the hub stops listening, as events then go unseen), `seq` counts
 * events in it. A client reconnecting with `Last-Event-ID` gets the events after it from the ring,
 * or, when they are no longer all there (or the id is of another stream), one `reset` event: it
 * then reads the list again. A reset is itself an event with an id, kept in the ring.
 */
export class EventHub<E = TaskEvent> {
  private readonly clients = new Set<Client>();
  private readonly ring: EventRing;
  private unsubscribe: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private idle: NodeJS.Timeout | undefined;
  private flushScheduled = false;
  private closed = false;
  private stream = "";
  private seq = 0;

  constructor(
    private readonly source: EventSource<E>,
    private readonly heartbeatMs: number,
    private readonly bufferBytes: number,
    private readonly maxClients: number,
    private readonly replay: ReplayOptions = DEFAULT_REPLAY,
  ) {
    this.ring = new EventRing(replay.events, replay.maxChars);
  }

  get size(): number {
    return this.clients.size;
  }

  get full(): boolean {
    return this.clients.size >= this.maxClients;
  }

  /**
   * Starts streaming to `res` (headers already sent) until the client goes or the hub closes;
   * with `lastEventId` (the client's Last-Event-ID), first the events it missed, or a reset.
   */
  add(res: ServerResponse, filter: EventFilter, lastEventId?: string): void {
    if (this.closed) return void res.end();
    const client: Client = { res, filter, pending: "" };
    this.clients.add(client);
    res.on("close", () => this.remove(client));
    clearTimeout(this.idle);
    this.idle = undefined;
    if (this.unsubscribe === undefined) {
      this.stream = streamName();
      this.seq = 0;
      this.unsubscribe = this.source.subscribe((event) => this.onEvent(event));
    }
    if (this.heartbeat === undefined) {
      this.heartbeat = setInterval(() => this.ping(), this.heartbeatMs);
      this.heartbeat.unref();
    }
    if (lastEventId !== undefined && lastEventId !== "") this.catchUp(client, lastEventId);
  }

  /**
   * Events were missed upstream (a fleet instance's relay overflowed): every client, and every
   * one that comes back from before now, is told to reset.
   */
  resync(): void {
    this.record(undefined, undefined, (id) => resetText(id, "events were lost upstream"));
    this.scheduleFlush();
  }

  /** The events `client` missed since `lastEventId`, or a reset when they are not all kept. */
  private catchUp(client: Client, lastEventId: string): void {
    const dot = lastEventId.lastIndexOf(".");
    const seq = /^\d{1,15}$/.test(lastEventId.slice(dot + 1)) ? Number(lastEventId.slice(dot + 1)) : NaN;
    const oldest = this.ring.oldest ?? this.seq + 1;
    if (lastEventId.slice(0, dot) !== this.stream || !(seq <= this.seq) || seq + 1 < oldest) {
      const reason =
        lastEventId.slice(0, dot) !== this.stream
          ? "the server has not kept these events (it restarted, or stopped listening meanwhile)"
          : "the events since Last-Event-ID are no longer kept";
      client.pending += resetText(`${this.stream}.${this.seq}`, reason);
    } else {
      // A replay is bounded as a live client's backlog is: one past bufferBytes is a reset instead,
      // or clients resuming at once from far back could each hold the whole ring (32 MiB).
      let replay = "";
      for (const entry of this.ring.after(seq)) {
        if (!this.selects(client, entry)) continue;
        replay += entry.text;
        if (replay.length > this.bufferBytes) {
          replay = resetText(
            `${this.stream}.${this.seq}`,
            "the events since Last-Event-ID are more than eventBufferBytes: too many to replay",
          );
          break;
        }
      }
      client.pending += replay;
    }
    this.scheduleFlush();
  }

  /** Ends every stream and stops listening; later clients are answered with an ended stream. */
  close(): void {
    this.closed = true;
    for (const client of this.clients) {
      this.flushClient(client);
      client.res.end();
      this.remove(client);
    }
    this.stop();
  }

  private onEvent(event: E): void {
    const { source } = this;
    this.record(source.idOf(event), source.nameOf(event), (id) => `id: ${id}\n${source.text(event)}`);
    this.scheduleFlush();
  }

  /** Numbers an event, keeps it for replay and queues it to the clients that follow it. */
  private record(id: string | undefined, name: string | undefined, text: (eventId: string) => string): void {
    const entry: RingEntry = { seq: ++this.seq, id, name, text: text(`${this.stream}.${this.seq}`) };
    this.ring.push(entry);
    for (const client of this.clients) {
      if (!this.selects(client, entry)) continue;
      client.pending += entry.text;
      if (client.pending.length + client.res.writableLength > this.bufferBytes) this.drop(client);
    }
  }

  private selects(client: Client, entry: RingEntry): boolean {
    const { id, name } = client.filter;
    if (entry.id === undefined) return true;
    return (id === undefined || entry.id === id) && (name === undefined || entry.name === name);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.clients.size === 0) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
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
    if (this.clients.size !== 0) return;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    // Keep recording a while for the client to come back to; then stop, and forget what was kept.
    if (this.closed || this.replay.events === 0 || this.replay.keepMs === 0) return this.stop();
    this.idle = setTimeout(() => this.stop(), this.replay.keepMs).unref();
  }

  private stop(): void {
    clearTimeout(this.idle);
    this.idle = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.ring.clear();
  }
}

/** A `reset` event: the client missed events it cannot be given, and should read the list again. */
function resetText(id: string, reason: string): string {
  return `id: ${id}\nevent: reset\ndata: {"type":"reset","ts":"${formatTime(performance.timeOrigin + performance.now())}","reason":${JSON.stringify(reason)}}\n\n`;
}

/** A stream name unlikely to repeat across restarts: the start time and a random part, base 36. */
function streamName(): string {
  return (
    Date.now().toString(36) +
    Math.floor(Math.random() * 36 ** 4)
      .toString(36)
      .padStart(4, "0")
  );
}
