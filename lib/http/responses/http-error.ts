import { CancelForbiddenError, TaskNotFoundError } from "../../core/errors";

/** A request the API refuses: the status to answer, a message for `{ "error" }`, and extra headers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/**
 * Maps an error raised while answering to a status: domain errors carry no HTTP status, so this
 * is where they get one. Anything unexpected is a 500 whose details stay out of the answer.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof TaskNotFoundError) return new HttpError(404, error.message);
  if (error instanceof CancelForbiddenError) return new HttpError(403, error.message);
  return new HttpError(500, "internal error");
}
