import { AuthenticationError, InvalidResponseError, NotProclistApiError, RemoteError } from "../client/errors";
import { CancelForbiddenError, TaskNotFoundError } from "../core/errors";
import { terminalSafe } from "./terminal-text";

/** The command's exit codes, documented in `--help` and the README; scripts depend on them. */
export const EXIT = {
  OK: 0,
  /** No endpoint holds the task. */
  NOT_FOUND: 1,
  /** The task cannot be cancelled (forbidCancel). */
  FORBIDDEN: 2,
  /** An endpoint could not be reached, refused the token, or answered something unreadable. */
  UNREACHABLE: 3,
  /** The id names live tasks on several endpoints: pick one with -e. */
  AMBIGUOUS: 4,
  /** `kill --wait`: the task still runs when the wait is over. */
  STILL_RUNNING: 5,
  /** `kill`: the task had already ended (the server still keeps it among the finished). */
  ENDED: 6,
  /** Wrong arguments. */
  USAGE: 64,
} as const;

/** The exit code a failure maps to. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof TaskNotFoundError) return EXIT.NOT_FOUND;
  if (error instanceof CancelForbiddenError) return EXIT.FORBIDDEN;
  if (error instanceof RemoteError) return EXIT.UNREACHABLE;
  if (error instanceof TypeError) return EXIT.USAGE;
  // A fleet's kill naming an earlier incarnation: that task ended with its process (the class is the fleet's, loaded only with --redis).
  if (error instanceof Error && error.name === "InstanceRestartedError") return EXIT.NOT_FOUND;
  return EXIT.UNREACHABLE;
}

/** One line for stderr about a failure at an endpoint, with a hint where one helps. */
export function describeFailure(label: string, error: unknown): string {
  return terminalSafe(failureText(label, error), ERROR_LINE_MAX);
}

/**
 * Writes `proclist: <where>: <what>` to stderr: every message of the command names the endpoint
 * (or instance, or Redis) whose answer it reports; several are listed with commas.
 */
export function sayAt(where: string | readonly string[], what: string): void {
  const at = typeof where === "string" ? where : where.join(", ");
  process.stderr.write(`proclist: ${terminalSafe(`${at}: ${what}`, ERROR_LINE_MAX)}\n`);
}

/**
 * What "no such task" leaves out: a server keeps only its newest finished tasks (`keepFinished`),
 * so a task seen a minute ago on a busy server is as unknown to it as one that never was.
 */
export const NOT_KEPT = "not running, nor among the finished tasks kept there";

/** How much of a failure's text a line shows: a server's error message can be any size. */
const ERROR_LINE_MAX = 1000;

function failureText(label: string, error: unknown): string {
  if (error instanceof TaskNotFoundError) return `${label}: ${error.message} (${NOT_KEPT})`;
  if (error instanceof CancelForbiddenError) return `${label}: ${error.message}`;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof NotProclistApiError) {
    return `${label}: not a proclist API at ${error.base} (${error.method} ${error.url} answered ${error.status}${error.serverMessage === undefined ? "" : `: ${error.serverMessage}`})`;
  }
  if (isForeignAnswer(error)) return `${label}: not a proclist API at ${label} (${message})`;
  if (error instanceof AuthenticationError) {
    return `${message}; ${error.hadToken ? "check the value of --token or PROCLIST_TOKEN" : "pass --token or set PROCLIST_TOKEN"}`;
  }
  return error instanceof RemoteError ? message : `${label}: ${message}`;
}

/** Not JSON (a web page), or JSON without the answer's own fields: another server, rather than a proclist API with a fault. */
export function isForeignAnswer(error: unknown): error is InvalidResponseError {
  return error instanceof InvalidResponseError && (error.field === "" || (!error.field.includes(".") && error.problem === "is missing"));
}
