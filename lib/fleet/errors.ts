import { ProclistError } from "../core/errors";

/** Redis could not be reached (or stopped answering) by a reader of the fleet. */
export class RedisUnavailableError extends ProclistError {
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`Redis at ${url} is unreachable: ${reason}`);
  }
}

/**
 * A request routed to an instance got no answer: the instance is gone, not listening, or did not
 * answer in time. Nothing is guessed: the task may or may not have been killed only if `timedOut`.
 */
export class InstanceUnreachableError extends ProclistError {
  constructor(
    readonly instance: string,
    readonly reason: string,
    readonly timedOut = false,
    /** When the instance left or last showed a sign of life (epoch ms), when it is gone. */
    readonly goneSince?: number,
  ) {
    super(`instance ${JSON.stringify(instance)} ${reason}`);
  }
}

/** Why a routed request failed when its instance stayed silent: what the caller can tell of the request's fate. */
export function unansweredWithin(ms: number): string {
  return `did not answer within ${ms} ms (a request reaching it later than a second past that is dropped)`;
}

/** A Redis URL as shown in messages: the password replaced by `…`. */
export function redactUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*):[^@/]*@/, "$1:…@");
}

/**
 * A request named an earlier incarnation (boot id) of its instance: the instance restarted since,
 * its ids started again at 1, and nothing was done (HTTP 410).
 */
export class InstanceRestartedError extends ProclistError {}

/** Another instance of the service that still listens on Redis (or whose record says nothing of that) already uses this name. */
export class DuplicateInstanceError extends ProclistError {
  constructor(
    readonly instance: string,
    readonly service: string,
    holder: string,
  ) {
    super(
      `instance name ${JSON.stringify(instance)} is already used by a live instance of service ${JSON.stringify(service)} (${holder}); ` +
        "give each instance its own name (the instance option); the name of a process that died is taken over as soon as Redis has dropped its connection, else once its record expires (ttlMs after its last heartbeat)",
    );
  }
}
