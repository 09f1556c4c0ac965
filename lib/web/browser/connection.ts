import { SseParser, type SseMessage } from "../../client/sse";
import type { WireTaskEvent, WireFinishedList, WireProcList } from "../../wire/shapes";
import { ApiError, type Api } from "./api";
import type { Change, Store } from "./store";

/** What the header shows about the link to the server. */
export type ConnectionState =
  | { kind: "connecting" }
  | { kind: "live" }
  | { kind: "retrying"; inMs: number; reason: string }
  | { kind: "token"; reason: string };

export interface ConnectionHooks {
  /** A snapshot replaced the store's contents: redraw everything. */
  snapshot(): void;
  /** One event was applied. */
  event(event: WireTaskEvent, change: Change): void;
  state(state: ConnectionState): void;
}

const EVENT_TYPES = new Set(["start", "status", "attr", "kill", "done", "wait"]);
/** How long to wait for the stream's headers before taking the snapshot anyway. */
const SUBSCRIBE_WAIT_MS = 1000;
const MAX_RETRY_MS = 15_000;

/**
 * Keeps the store in step with the server with no polling: subscribe to `GET /procs/events`, then
 * take the snapshot, then apply the events in order (those that raced the snapshot are no-ops).
 * When the stream breaks, it retries with backoff and resumes with Last-Event-ID: the server gives
 * the missed events again, or a `reset`, on which a fresh snapshot is taken. Nothing is missed.
 */
export class LiveConnection {
  private controller = new AbortController();
  private wake: (() => void) | undefined;
  private restarting = false;
  /** The id of the last event seen: where a reconnection resumes. "" before any, and after a token change. */
  private lastEventId = "";

  constructor(
    private readonly api: Api,
    private readonly store: Store,
    private readonly hooks: ConnectionHooks,
  ) {}

  start(): void {
    void this.loop();
  }

  /** Drops the current stream and connects again at once (after the token changed). */
  restart(): void {
    this.restarting = true;
    this.lastEventId = "";
    this.controller.abort();
    this.wake?.();
  }

  private async loop(): Promise<void> {
    for (let failures = 0; ; ) {
      const controller = (this.controller = new AbortController());
      try {
        this.hooks.state({ kind: "connecting" });
        await this.follow(controller.signal, () => (failures = 0));
        throw new Error("the events stream ended");
      } catch (error) {
        controller.abort();
        if (this.restarting) {
          this.restarting = false;
          failures = 0;
          continue;
        }
        // 401: a token is needed (or the one held was revoked); 403 with a token held: that token
        // may not read the list, and no retry will change it: ask for another either way.
        if (error instanceof ApiError && (error.status === 401 || (error.status === 403 && this.api.token !== null))) {
          this.hooks.state({ kind: "token", reason: error.message });
          await this.sleep(Infinity);
          this.restarting = false;
          continue;
        }
        const inMs = Math.min(MAX_RETRY_MS, 500 * 2 ** failures++);
        this.hooks.state({ kind: "retrying", inMs, reason: error instanceof Error ? error.message : String(error) });
        await this.sleep(inMs);
        this.restarting = false;
      }
    }
  }

  private async follow(signal: AbortSignal, onLive: () => void): Promise<void> {
    const resume = this.lastEventId;
    const stream = this.api.stream("procs/events", signal, resume === "" ? undefined : resume);
    stream.catch(() => {}); // observed below; avoids an unhandled rejection while the snapshot loads
    if (resume === "") {
      await Promise.race([stream, delay(SUBSCRIBE_WAIT_MS)]);
      await this.snapshot(signal);
    }
    const res = await stream;
    if (res.body === null) throw new Error("the events stream has no body");
    this.hooks.state({ kind: "live" });
    onLive();
    // Read with fetch rather than EventSource: EventSource cannot send an Authorization header,
    // and a token in the URL would end up in logs.
    const parser = new SseParser();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const message of parser.feed(value)) {
        if (message.lastEventId !== "") this.lastEventId = message.lastEventId;
        // Events were missed that the server no longer has: read everything again, then go on.
        if (message.event === "reset") await this.snapshot(signal);
        else this.onMessage(message);
      }
    }
  }

  /** Replaces the store's contents with the server's lists. */
  private async snapshot(signal: AbortSignal): Promise<void> {
    const [list, finished] = await Promise.all([
      this.api.get<WireProcList>("procs/", signal),
      this.api.get<WireFinishedList>("procs/finished", signal).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return { finished: [], serverTime: "" } as WireFinishedList;
        throw error;
      }),
    ]);
    this.store.loadLive(list.procs, list.serverTime);
    this.store.service = list.service;
    this.store.loadFinished(finished.finished, finished.keepFinished);
    this.hooks.snapshot();
  }

  private onMessage(message: SseMessage): void {
    if (!EVENT_TYPES.has(message.event)) return;
    let event: WireTaskEvent;
    try {
      event = JSON.parse(message.data) as WireTaskEvent;
    } catch {
      return; // one garbled message must not stop the page
    }
    if (event.type !== message.event || typeof event.ts !== "string") return;
    this.hooks.event(event, this.store.apply(event));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
