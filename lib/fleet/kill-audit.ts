import type { AuditEntry } from "../audit/entry";
import { boundEntry } from "../audit/entry";
import { CancelForbiddenError, TaskNotFoundError } from "../core/errors";
import { HttpError } from "../http/responses/http-error";
import { formatTime } from "../http/responses/time";
import { AuditStream } from "./audit-stream";
import { InstanceRestartedError, InstanceUnreachableError, RedisUnavailableError } from "./errors";
import type { FleetReader } from "./reader";

/** Entries the stream keeps when the command line writes to it (serveFleet's default). */
const MAX_LEN = 100_000;

const streams = new WeakMap<FleetReader, AuditStream>();

/** What a kill's audit entry says before the kill is done (its outcome, status and time come after). */
export type KillDraft = Omit<AuditEntry, "ts" | "outcome" | "status">;

/**
 * Runs a kill sent straight through Redis (`proclist kill --redis`, one task or by filter) and
 * records it in the service's audit stream, as serveFleet records the kills it routes: who, what,
 * the message, the status it stands for and why it failed. Recording never changes the kill's
 * outcome; `auditWritten` waits for the entries before the caller closes its connections.
 */
export async function auditedKill<T>(
  reader: FleetReader,
  draft: KillDraft,
  kill: () => Promise<T>,
  fill: (value: T, entry: AuditEntry) => void = () => undefined,
): Promise<T> {
  const ts = formatTime(Date.now());
  let stream = streams.get(reader);
  if (stream === undefined) streams.set(reader, (stream = new AuditStream(reader.connection, reader.keys.audit, MAX_LEN)));
  try {
    const value = await kill();
    const entry: AuditEntry = { ts, ...draft, outcome: "cancelled", status: 200 };
    fill(value, entry);
    stream.sink(boundEntry(entry));
    return value;
  } catch (error) {
    const status = statusOf(error);
    const outcome = status === 403 ? "refused" : "failed";
    stream.sink(
      boundEntry({ ts, ...draft, outcome, status, error: error instanceof Error ? error.message.slice(0, 1000) : String(error) }),
    );
    throw error;
  }
}

/** Waits (at most `ms`) until the entries recorded through this reader are in Redis. */
export async function auditWritten(reader: FleetReader, ms: number): Promise<void> {
  await streams.get(reader)?.written(ms);
}

/** The status a failed kill stands for, as serveFleet would answer it. */
function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof TaskNotFoundError) return 404;
  if (error instanceof CancelForbiddenError) return 403;
  if (error instanceof RedisUnavailableError) return 503;
  if (error instanceof InstanceUnreachableError) return error.timedOut ? 504 : 502;
  if (error instanceof InstanceRestartedError) return 410;
  return 502;
}
