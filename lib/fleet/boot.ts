import { randomBytes } from "node:crypto";
import type { ProcessManager } from "../core/manager";

/** A boot id as it may appear on the wire and in requests: what `bootOf` makes. */
export const BOOT_PATTERN = "^[A-Za-z0-9_-]{1,64}$";

const boots = new WeakMap<ProcessManager, string>();

/**
 * The incarnation of an instance: random, one per manager for the life of the process. Task ids
 * are a manager's own counter and restart at 1 with a new process, so `<instance>/<id>` alone
 * may name another task after a restart under the same name; the boot id tells them apart.
 */
export function bootOf(manager: ProcessManager): string {
  let boot = boots.get(manager);
  if (boot === undefined) boots.set(manager, (boot = randomBytes(9).toString("base64url")));
  return boot;
}

/** Why a request naming incarnation `asked` is refused by an instance now in incarnation `now`. */
export function restartedSince(instance: string, asked: string, now: string, startedAt: string | undefined): string {
  return (
    `instance ${JSON.stringify(instance)} restarted since (the id is of its boot ${asked}, it now runs boot ${now}` +
    `${startedAt === undefined ? "" : ` started ${startedAt}`}): ids restart with the process, so nothing was done; read the list again`
  );
}
