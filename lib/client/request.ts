import { TransportError } from "./errors";

/** Answers larger than this are refused: a list of 10,000 tasks is ~2 MB, so this is only a guard against a runaway server. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface Call {
  method: "GET" | "DELETE";
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Covers connecting, the headers and (for `fetchText`) the whole body. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Sends a request and returns the response once its headers arrived; network failures become TransportError. */
export async function open(call: Call, timeout = AbortSignal.timeout(call.timeoutMs)): Promise<Response> {
  const signal = call.signal === undefined ? timeout : AbortSignal.any([call.signal, timeout]);
  try {
    return await fetch(call.url, { method: call.method, headers: call.headers, body: call.body, signal, redirect: "follow" });
  } catch (error) {
    throw failure(call, error, timeout);
  }
}

/** Turns what fetch or node:http throws into TransportError with a short reason; the caller's own abort passes through. */
export function failure(call: Call, error: unknown, timeout?: AbortSignal): unknown {
  if (call.signal?.aborted) return call.signal.reason;
  if (timeout?.aborted) return new TransportError(call.method, call.url, `no answer within ${call.timeoutMs} ms`, { cause: error });
  return new TransportError(call.method, call.url, reasonOf(error), { cause: error });
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused (is the server running, and on this port?)",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  ECONNRESET: "connection reset by the server",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  EPIPE: "connection closed by the server",
  UND_ERR_SOCKET: "connection closed by the server",
  UND_ERR_CLOSED: "connection closed",
  ERR_SSL_WRONG_VERSION_NUMBER: "TLS handshake failed (is it http rather than https?)",
};

function reasonOf(error: unknown): string {
  // fetch wraps the socket's error as `cause`, sometimes twice.
  for (let e: unknown = error; e !== null && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code in REASONS) return REASONS[code];
    // node:https says the same as `write EPROTO …wrong version number…`, with OpenSSL's text.
    if (code === "EPROTO" && /wrong version number/.test(String((e as { message?: unknown }).message)))
      return REASONS.ERR_SSL_WRONG_VERSION_NUMBER;
    if ((e as { cause?: unknown }).cause === undefined) {
      const message = (e as { message?: unknown }).message;
      if (typeof message === "string" && message !== "") return typeof code === "string" ? `${message} (${code})` : message;
    }
  }
  return String(error);
}
