import { cutText, messageOf } from "./bound";
import { TrackingError } from "./errors";
import type { Task } from "./task";

/** The attribute that tells, on the task itself, what went wrong with its tracking. */
export const FAULT_ATTR = "proclist.error";

/** Sites already reported on stderr: each is printed once, however often it fails. */
const printed = new Set<string>();
const MAX_PRINTED = 1000;

/**
 * Records a tracking fault where an operator sees it: appended to the task's `proclist.error`
 * attribute, and passed to `onError` (the manager option), else printed once per site on stderr.
 * Never throws: a fault report must not become a fault of the call.
 */
export function reportFault(
  task: Task | undefined,
  site: string,
  what: string,
  cause: unknown,
  onError: ((error: TrackingError) => void) | undefined,
): void {
  try {
    const message = cutText(`${site}: ${what}${cause === undefined ? "" : ` (${messageOf(cause)})`}`, 1000);
    if (task !== undefined && task.running) {
      const earlier = task.attrs[FAULT_ATTR];
      task.setAttribute(FAULT_ATTR, typeof earlier === "string" ? `${earlier}; ${message}` : message);
    }
    const error = new TrackingError(site, message, task?.id, cause === undefined ? undefined : { cause });
    if (onError !== undefined) return onError(error);
    if (printed.has(site) || printed.size >= MAX_PRINTED) return;
    printed.add(site);
    process.stderr.write(`proclist: tracking fault, the call ran untouched: ${message} (reported once per site)\n`);
  } catch {
    // an onError hook that throws, a closed stderr: nothing more can be done without hurting the call
  }
}
