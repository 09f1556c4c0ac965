import type { EventSource } from "../http/events/hub";
import { MAX_MESSAGE_BYTES } from "./protocol";
import type { FleetReader } from "./reader";

/** One relayed event: its fleet id and task name (for `?id=` and `?name=`) and its SSE message. */
export interface FleetEvent {
  id: string;
  name: string;
  text: string;
}

const TYPES = new Set(["start", "status", "attr", "kill", "done", "wait"]);

/**
 * The events of every instance, as a hub's source: subscribes to the service's events channel
 * and says so on the watch channel, so instances start relaying at once (and stop when their
 * batches find no receiver). A batch that says events were lost calls `onLost`: the hub then
 * sends (and keeps) a `reset` event, on which clients read the list afresh.
 */
export function fleetEvents(reader: FleetReader, onLost: () => void): EventSource<FleetEvent> {
  const { bus, keys } = reader;
  return {
    subscribe(listener) {
      const onMessage = (channel: string, text: string): void => {
        if (channel !== keys.events || text.length > MAX_MESSAGE_BYTES) return;
        const batch = parseBatch(text);
        if (batch === undefined) return;
        for (const event of batch.events) listener(event);
        if (batch.lost > 0) onLost();
      };
      // Subscribed again after losing the subscription (a reconnect, a failover on a cluster):
      // instances are told again that someone listens, and what was sent meanwhile is lost.
      const onSubscribed = (again: boolean): void => {
        if (!again) return;
        announce();
        onLost();
      };
      const announce = (): void => void bus.publish(keys.watch, "events").catch(() => undefined);
      bus.on("message", onMessage);
      bus.on("subscribed", onSubscribed);
      bus
        .subscribe([keys.events])
        .then(announce)
        .catch(() => undefined);
      return () => {
        bus.off("message", onMessage);
        bus.off("subscribed", onSubscribed);
        bus.unsubscribe([keys.events]);
      };
    },
    idOf: (event) => event.id,
    nameOf: (event) => event.name,
    text: (event) => event.text,
  };
}

/** A batch from an instance (see EventRelay), each event checked for a type and an id; undefined when malformed. */
function parseBatch(text: string): { events: FleetEvent[]; lost: number } | undefined {
  let batch: { events?: unknown; names?: unknown; lost?: unknown };
  try {
    batch = JSON.parse(text) as typeof batch;
  } catch {
    return undefined;
  }
  // Any JSON arrives here: null, a number, an array.
  if (batch === null || typeof batch !== "object" || !Array.isArray(batch.events) || !Array.isArray(batch.names)) return undefined;
  const events: FleetEvent[] = [];
  batch.events.forEach((event: { type?: unknown; id?: unknown; proc?: { id?: unknown } } | null, i) => {
    if (event === null || typeof event !== "object") return;
    const id = event.type === "start" ? (event.proc !== null && typeof event.proc === "object" ? event.proc.id : undefined) : event.id;
    if (typeof event?.type !== "string" || !TYPES.has(event.type) || typeof id !== "string") return;
    events.push({
      id,
      name: String((batch.names as unknown[])[i] ?? ""),
      text: `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`,
    });
  });
  return { events, lost: typeof batch.lost === "number" && Number.isFinite(batch.lost) ? batch.lost : 0 };
}
