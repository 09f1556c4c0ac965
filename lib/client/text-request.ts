import type { ClientRequest, IncomingMessage, RequestOptions } from "node:http";
import { InvalidResponseError } from "./errors";
import { failure, MAX_BODY_BYTES, type Call } from "./request";

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

/**
 * Sends a request and reads the whole body as text, within the call's timeout and the size
 * bound, following redirects as fetch does (the authorization header stays on the same origin).
 * node:http rather than fetch: loading fetch's implementation costs a short-lived command such as
 * `proclist ls` more than all of its own code (~3× at start-up); streams keep fetch (events.ts).
 */
export function fetchText(call: Call): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let request: ClientRequest | undefined;
    let settled = false;
    const finish = (error: unknown, answer?: { status: number; text: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      call.signal?.removeEventListener("abort", onAbort);
      request?.destroy();
      if (answer !== undefined) resolve(answer);
      else reject(error instanceof InvalidResponseError ? error : failure(call, error, timeout.signal));
    };
    const timeout = new AbortController();
    const timer = setTimeout(() => {
      timeout.abort();
      finish(new Error("timeout"));
    }, call.timeoutMs);
    const onAbort = () => finish(call.signal?.reason);
    if (call.signal?.aborted) return onAbort();
    call.signal?.addEventListener("abort", onAbort, { once: true });

    const send = (url: URL, method: string, headers: Record<string, string>, body: string | undefined, redirects: number) => {
      const options: RequestOptions = {
        method,
        headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) },
      };
      const transport =
        url.protocol === "https:"
          ? (require("node:https") as typeof import("node:https"))
          : (require("node:http") as typeof import("node:http"));
      if (url.protocol !== "http:" && url.protocol !== "https:") return finish(new TypeError(`unsupported protocol ${url.protocol}`));
      request = transport.request(url, options, (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (REDIRECTS.has(status) && location !== undefined) {
          response.resume();
          if (redirects >= MAX_REDIRECTS) return finish(new Error("redirect count exceeded"));
          const next = new URL(location, url);
          const keep = status === 303 ? { method: "GET", body: undefined } : { method, body };
          const nextHeaders = next.origin === url.origin ? headers : withoutAuthorization(headers);
          return send(next, keep.method, nextHeaders, keep.body, redirects + 1);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > MAX_BODY_BYTES)
            return finish(new InvalidResponseError(call.method, call.url, "", `body larger than ${MAX_BODY_BYTES} bytes`));
          chunks.push(chunk);
        });
        response.on("end", () => finish(undefined, { status, text: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", finish);
        response.on("aborted", () => finish(Object.assign(new Error("connection closed by the server"), { code: "ECONNRESET" })));
      });
      request.on("error", finish);
      request.end(body);
    };
    try {
      send(new URL(call.url), call.method, call.headers, call.body, 0);
    } catch (error) {
      finish(error);
    }
  });
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== "authorization"));
}
