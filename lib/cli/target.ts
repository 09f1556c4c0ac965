import type { ProclistClient } from "../client/client";
import type { Endpoint } from "../client/endpoint";

// What a command reaches: the options that say where, and the targets they become. Types only, so
// the fleet code that connect.ts loads lazily can use them without importing connect.ts back.

/** The options every command takes. */
export interface ConnectionOptions {
  endpoint: string[];
  token?: string;
  timeout: number;
  /** A fleet on Redis instead of endpoints: its instances are the targets. */
  redis?: string;
  service?: string;
}

/** What the commands ask of a target: an HTTP client, or an instance of a fleet reached through Redis. */
export type TaskSource = Pick<ProclistClient, "processes" | "task" | "history" | "kill" | "finished" | "stats" | "events">;

/** One endpoint (or fleet instance) and its client. */
export interface Target<C extends TaskSource = TaskSource> {
  endpoint: Endpoint;
  client: C;
}

/** A `<instance>/<id>` whose instance the fleet does not know: the Redis that said so, and why. */
export interface UnknownInstance {
  where: string;
  why: string;
}
