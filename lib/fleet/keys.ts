/**
 * The Redis names of one service's fleet, all under one prefix (default "proclist:") and one hash
 * tag, `{<p><service>}`: on a Redis Cluster every key and channel of a service is in one hash slot,
 * so the scripts and transactions that touch several keys work there as on one Redis, and the
 * service's sharded channels live on one shard. One scheme for both, so a fleet moves between them.
 *
 * - `{<p><service>}:instances`          sorted set: instance → last heartbeat (ms); gone ones stay an hour
 * - `{<p><service>}:instance:<name>`    the instance's record (JSON), expires `ttlMs` after its last heartbeat
 * - `{<p><service>}:procs:<name>`       hash: task id → the task as fleet JSON; kept an hour past the last heartbeat (a dead instance's last tasks)
 * - `{<p><service>}:control:<name>`     channel: requests to that instance (kill, history…)
 * - `{<p><service>}:alive:<nonce>`      channel: one process's own, subscribed for as long as it runs (nobody there: it died)
 * - `{<p><service>}:reply:<caller>`     channel: answers to one caller
 * - `{<p><service>}:events`             channel: task events, published only while someone listens
 * - `{<p><service>}:watch`              channel: "someone started listening to events"
 * - `{<p><service>}:audit`              stream: the audit entries of kills through the fleet, bounded (MAXLEN ~)
 */
export class FleetKeys {
  readonly base: string;
  /** The hash tag, `{<prefix><service>}`: what decides the slot of every name below. */
  readonly tag: string;

  constructor(
    readonly prefix: string,
    readonly service: string,
  ) {
    this.tag = `{${prefix}${service}}`;
    this.base = `${this.tag}:`;
  }

  get instances(): string {
    return this.base + "instances";
  }

  instance(name: string): string {
    return `${this.base}instance:${name}`;
  }

  procs(name: string): string {
    return `${this.base}procs:${name}`;
  }

  control(name: string): string {
    return `${this.base}control:${name}`;
  }

  /** The channel only the process whose registration nonce is `nonce` subscribes to (see Registration.takeOver). */
  alive(nonce: string): string {
    return `${this.base}alive:${nonce}`;
  }

  reply(caller: string): string {
    return `${this.base}reply:${caller}`;
  }

  get events(): string {
    return this.base + "events";
  }

  get watch(): string {
    return this.base + "watch";
  }

  get audit(): string {
    return this.base + "audit";
  }
}

/** How long a gone instance stays listed (state "gone since …") before it is forgotten. */
export const GONE_RETENTION_MS = 3_600_000;
