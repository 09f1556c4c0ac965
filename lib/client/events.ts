import { setTimeout as sleep } from "node:timers/promises";
import type { WireEvent } from "../wire/shapes";
import { validateWire } from "../wire/schemas";
import { toEvent } from "./convert";
import { check, type Origin } from "./decode";
import { HttpStatusError, InvalidResponseError, RemoteError, TransportError } from "./errors";
import { failure, open, type Call } from "./request";
import { SseParser, type SseMessage } from "./sse";
import type { RemoteEvent } from "./types";

/** Options of `ProclistClient.events()`. */
export interface EventsOptions {
  /** Ends the iteration (quietly, without an error) when aborted. Breaking out of `for await` does too. */
  signal?: AbortSignal | undefined;
  /** Follow one task only (the server filters). */
  id?: string | undefined;
  /** Follow tasks of one name only (the server filters). */
  name?: string | undefined;
  /** First wait before reconnecting after a dropped connection, in ms; doubles up to `maxRetryMs`. Default 250. */
  minRetryMs?: number | undefined;
  /** Longest wait between reconnection attempts, in ms. Default 10,000. */
  maxRetryMs?: number | undefined;
  /**
   * Reconnects when nothing (not even the server's heartbeat, every 15 s by default) arrived for
   * this long, in ms, so a connection that died silently is not followed forever. 0 never does.
   * Default 45,000.
   */
  idleTimeoutMs?: number | undefined;
  /** Called each time the stream is (re)connected. */
  onConnect?: (() => void) | undefined;
  /** Called when the connection dropped, with why and how long until the next attempt. */
  onDisconnect?: ((error: RemoteError, retryInMs: number) => void) | undefined;
}

/** What the stream needs from its client: where, how, and how to turn a bad status into an error. */
export interface StreamTarget {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  refusal: (origin: Origin, status: number, text: string) => Error;
}

/**
 * Follows `GET /procs/events`. A failure to connect the first time is thrown (most likely a wrong
 * endpoint); once connected, a dropped connection, a server restart or a 5xx is retried with
 * exponential backoff (never sooner than the server's `retry:`), sending Last-Event-ID, so the
 * server gives again what was missed meanwhile, or a `reset` event when it cannot. A server that
 * gives no ids (the Go original) replays nothing: each reconnection to it yields a `reset` of the
 * client's own. A 429 (too many streams) is retried as a drop is. A 401, a missing route or a
 * malformed event ends the iteration with its error.
 */
export async function* eventStream(target: StreamTarget, options: EventsOptions = {}): AsyncGenerator<RemoteEvent, void, undefined> {
  const { signal, minRetryMs = 250, maxRetryMs = 10_000, idleTimeoutMs = 45_000 } = options;
  const query = new URLSearchParams();
  if (options.id !== undefined) query.set("id", options.id);
  if (options.name !== undefined) query.set("name", options.name);
  const url = query.size === 0 ? target.url : `${target.url}?${query}`;
  const origin: Origin = { method: "GET", url };
  let lastEventId = "";
  let serverRetryMs = 0;
  let connectedOnce = false;
  let delay = minRetryMs;
  while (signal?.aborted !== true) {
    const connection = new AbortController();
    const headers: Record<string, string> = { ...target.headers, accept: "text/event-stream" };
    if (lastEventId !== "") headers["last-event-id"] = lastEventId;
    const call: Call = {
      method: "GET",
      url,
      headers,
      timeoutMs: target.timeoutMs,
      signal: signal === undefined ? connection.signal : AbortSignal.any([signal, connection.signal]),
    };
    const parser = new SseParser();
    let lost: RemoteError;
    try {
      const headersTimeout = new AbortController();
      const timer = setTimeout(() => headersTimeout.abort(), target.timeoutMs);
      let response: Response;
      try {
        response = await open(call, headersTimeout.signal);
      } finally {
        clearTimeout(timer);
      }
      if (response.status !== 200 || response.body === null) {
        const text = await response.text().catch(() => "");
        throw target.refusal(origin, response.status, text);
      }
      const reconnected = connectedOnce;
      connectedOnce = true;
      delay = minRetryMs;
      options.onConnect?.();
      if (reconnected && lastEventId === "")
        yield { type: "reset", ts: Date.now(), reason: "reconnected to a server that keeps no events to replay" };
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      let idle = false;
      const idleTimer = idleTimeoutMs > 0 ? setTimeout(() => ((idle = true), connection.abort()), idleTimeoutMs) : undefined;
      try {
        for (;;) {
          const { done, value } = await reader
            .read()
            .catch((error) =>
              Promise.reject(
                idle
                  ? new TransportError("GET", url, `nothing arrived for ${idleTimeoutMs} ms, not even a heartbeat`)
                  : failure(call, error),
              ),
            );
          idleTimer?.refresh();
          if (done) break;
          for (const message of feed(origin, parser, decoder.decode(value, { stream: true }))) {
            lastEventId = message.lastEventId;
            if (message.event !== "message" && !isEventType(message.event)) continue;
            yield decodeEvent(origin, message.data);
          }
        }
      } finally {
        clearTimeout(idleTimer);
        await reader.cancel().catch(() => undefined);
      }
      lost = new TransportError("GET", url, "the server closed the events stream");
    } catch (error) {
      if (signal?.aborted) return;
      if (!connectedOnce || !retryable(error)) throw error;
      lost = error as RemoteError;
    } finally {
      connection.abort();
      serverRetryMs = parser.retryMs ?? serverRetryMs;
    }
    // The server's `retry:` advice is a floor; repeated failures still back off further.
    const wait = Math.min(maxRetryMs, Math.max(delay, serverRetryMs));
    options.onDisconnect?.(lost, wait);
    try {
      await sleep(wait, undefined, { signal });
    } catch {
      return;
    }
    delay = Math.min(maxRetryMs, delay * 2);
  }
}

/** The messages a chunk completes; a runaway message is the server's fault, said as such. */
function feed(origin: Origin, parser: SseParser, text: string): SseMessage[] {
  try {
    return parser.feed(text);
  } catch (error) {
    throw new InvalidResponseError(origin.method, origin.url, "", (error as Error).message);
  }
}

function decodeEvent(origin: Origin, data: string): RemoteEvent {
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    throw new InvalidResponseError(origin.method, origin.url, "", `an event's data is not JSON: ${JSON.stringify(data.slice(0, 60))}`);
  }
  return toEvent(origin, check<WireEvent>(origin, body, validateWire.event));
}

function isEventType(name: string): boolean {
  return (
    name === "start" || name === "status" || name === "attr" || name === "kill" || name === "done" || name === "reset" || name === "wait"
  );
}

function retryable(error: unknown): boolean {
  return error instanceof TransportError || (error instanceof HttpStatusError && (error.status >= 500 || error.status === 429));
}
