import type { ProcessManager } from "../core/manager";
import { eventData } from "../http/events/text";
import type { FleetConnection } from "./redis";

/** Events one batch may carry; past it the batch says `lost` and readers take a fresh list. */
const MAX_BATCH_EVENTS = 5_000;
const MAX_BATCH_CHARS = 2 << 20;

/**
 * Relays the instance's task events to the service's events channel, but only while someone
 * listens: a fleet API with an open event stream announces itself on the watch channel, and each
 * batch's receiver count (PUBLISH's answer) says when nobody listens any more. Unwatched, the
 * instance is not even subscribed to its manager's events, so they cost nothing.
 * Events go out in batches at the publisher's pace, bounded in count and size.
 *
 * A batch is `{"instance":…,"events":[…],"names":[…],"lost":n}`: fleet-form `WireEvent`s, the
 * task name of each (for `?name=` filters), and how many were dropped by the bound.
 */
export class EventRelay {
  private unsubscribe: (() => void) | undefined;
  private events: string[] = [];
  private names: string[] = [];
  private chars = 0;
  private lost = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: FleetConnection,
    private readonly manager: ProcessManager,
    private readonly channel: string,
    private readonly instance: string,
    private readonly boot?: string,
  ) {}

  get watched(): boolean {
    return this.unsubscribe !== undefined;
  }

  /** Someone listens: relay from now on (flushing every `flushMs`). */
  watch(flushMs: number): void {
    if (this.unsubscribe !== undefined) return;
    this.unsubscribe = this.manager.subscribe((event) => {
      if (this.events.length >= MAX_BATCH_EVENTS || this.chars >= MAX_BATCH_CHARS) {
        this.lost++;
        return;
      }
      const data = eventData(event, this.instance, this.boot);
      this.events.push(data);
      this.names.push(event.task.name);
      this.chars += data.length;
    });
    this.timer = setInterval(() => this.flush(), flushMs).unref();
  }

  /** Nobody listens: stop relaying and drop what was waiting. */
  unwatch(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
    this.events = [];
    this.names = [];
    this.chars = 0;
    this.lost = 0;
  }

  private flush(): void {
    if (this.events.length === 0 && this.lost === 0) return;
    if (!this.redis.ready) {
      // Readers reconnect and re-read the list anyway: say that something was missed.
      this.lost += this.events.length;
      this.events = [];
      this.names = [];
      this.chars = 0;
      return;
    }
    const batch = `{"instance":${JSON.stringify(this.instance)},"events":[${this.events.join(",")}],"names":${JSON.stringify(this.names)},"lost":${this.lost}}`;
    this.events = [];
    this.names = [];
    this.chars = 0;
    this.lost = 0;
    this.redis.bus.publish(this.channel, batch).then(
      (receivers) => {
        if (receivers === 0) this.unwatch();
      },
      () => undefined,
    );
  }
}
