import { ProclistError } from "../core/errors";

/**
 * Base class of the failures of a remote call; `url` is the request that failed and `method` its
 * verb. 404 and 403 on a task are the library's own `TaskNotFoundError` and `CancelForbiddenError`.
 */
export class RemoteError extends ProclistError {
  constructor(
    readonly method: string,
    readonly url: string,
    detail: string,
  ) {
    super(`${method} ${url}: ${detail}`);
  }
}

/**
 * The server could not be reached or stopped answering: refused, unknown host, reset, timeout,
 * or a stream cut short. `reason` is the short cause (`connection refused`).
 */
export class TransportError extends RemoteError {
  constructor(
    method: string,
    url: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(method, url, reason);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** The server answered 401: it wants a token, or another one. */
export class AuthenticationError extends RemoteError {
  constructor(
    method: string,
    url: string,
    readonly serverMessage: string | undefined,
    /** Whether the request carried a token: then it was the wrong one, else one is needed. */
    readonly hadToken: boolean,
  ) {
    super(
      method,
      url,
      `401 unauthorized: ${hadToken ? "the token was refused" : "the server needs a token"}${serverMessage === undefined ? "" : ` (${serverMessage})`}`,
    );
  }
}

/** The server answered a status the call does not expect (400, 405, 500…); `serverMessage` is its `error` text. */
export class HttpStatusError extends RemoteError {
  constructor(
    method: string,
    url: string,
    readonly status: number,
    readonly serverMessage: string | undefined,
    hint?: string,
  ) {
    super(method, url, `HTTP ${status}${serverMessage === undefined ? "" : `: ${serverMessage}`}${hint === undefined ? "" : ` (${hint})`}`);
  }
}

/**
 * The server answered 404 for a route the API has, and not as a proclist (or original Go pm)
 * server answers an unknown task: the URL is wrong (a path too many or missing), or the server is
 * something else. `base` is the URL the client was given.
 */
export class NotProclistApiError extends RemoteError {
  constructor(
    method: string,
    url: string,
    readonly base: string,
    readonly status: number,
    readonly serverMessage: string | undefined,
  ) {
    super(method, url, `not a proclist API at ${base}: HTTP ${status}${serverMessage === undefined ? "" : `: ${serverMessage}`}`);
  }
}

/**
 * The answer is not what the API promises: not JSON, or a field missing or of the wrong type.
 * `field` is the dotted path of the first bad field (`procs.0.procTime`), "" for the whole body.
 */
export class InvalidResponseError extends RemoteError {
  constructor(
    method: string,
    url: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(method, url, `invalid answer: ${field === "" ? "" : `field ${JSON.stringify(field)} `}${problem}`);
  }
}
