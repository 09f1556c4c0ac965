import type { WireError } from "../../wire/shapes";

const TOKEN_KEY = "proclist.token";

/** An answer other than 2xx, with the server's `{ error }` message when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The page's access to its own server. Paths are relative to where the page is served, so an API
 * mounted under a prefix works unchanged. The bearer token lives in sessionStorage: it is kept for
 * this tab only, and always travels in the Authorization header, never in a URL.
 */
export class Api {
  private readonly base: URL;

  constructor(location: Location) {
    const path = location.pathname.endsWith("/") ? location.pathname : `${location.pathname}/`;
    this.base = new URL(path, location.origin);
  }

  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  set token(value: string | null) {
    if (value === null || value === "") sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, value);
  }

  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return (await this.send("GET", path, undefined, signal)).json() as Promise<T>;
  }

  async delete<T>(path: string, body: unknown): Promise<T> {
    return (await this.send("DELETE", path, body)).json() as Promise<T>;
  }

  /** Opens a streaming GET (the events stream), resuming after `lastEventId` if given; resolves once the headers arrived. */
  stream(path: string, signal: AbortSignal, lastEventId?: string): Promise<Response> {
    return this.send(
      "GET",
      path,
      undefined,
      signal,
      "text/event-stream",
      lastEventId === undefined ? {} : { "Last-Event-ID": lastEventId },
    );
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
    signal?: AbortSignal,
    accept = "application/json",
    extra: Record<string, string> = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept, ...extra };
    const token = this.token;
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(new URL(path, this.base), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: "no-store",
      credentials: "same-origin",
    });
    if (res.ok) return res;
    let message = `${res.status} ${res.statusText}`;
    try {
      const answer = (await res.json()) as Partial<WireError>;
      if (typeof answer.error === "string") message = answer.error;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, message);
  }
}
