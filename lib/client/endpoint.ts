/** Where a proclist API answers: the base URL requests are built on, and the label shown to people. */
export interface Endpoint {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:8081` or `https://host/admin`. */
  readonly url: string;
  /** What the user typed, tidied: `host:port` for plain addresses, the URL otherwise. */
  readonly label: string;
}

export const DEFAULT_ENDPOINT = "127.0.0.1:8081";

/**
 * Reads `host:port`, `:port` or a bare port (loopback), `[::1]:port` or an http(s) URL (optionally with a path prefix, where
 * the API is mounted under another server). A trailing `/procs/` is dropped, so a URL copied from
 * a curl command works. Throws a TypeError naming the bad value.
 */
export function parseEndpoint(text: string): Endpoint {
  const trimmed = text.trim();
  const bad = (why: string) => new TypeError(`invalid endpoint ${JSON.stringify(text)}: ${why}`);
  if (trimmed === "") throw bad("empty");
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed);
  const loopback = /^:?\d+$/.test(trimmed) ? `127.0.0.1:${trimmed.replace(":", "")}` : trimmed;
  let source = hasScheme ? trimmed : `http://${loopback}`;
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw bad("expected host:port or an http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw bad(`unsupported scheme ${url.protocol.slice(0, -1)}`);
  if (url.hostname === "") throw bad("no host");
  if (url.search !== "" || url.hash !== "") throw bad("no query or fragment allowed");
  if (url.username !== "" || url.password !== "") throw bad("credentials belong in --token, not the URL");
  // `host:port` without a scheme must carry a port: `localhost` alone is more likely a typo.
  if (!hasScheme && url.port === "" && !/:80$/.test(trimmed)) throw bad("missing port (host:port)");
  const path = url.pathname.replace(/\/+$/, "").replace(/\/procs$/, "");
  source = `${url.protocol}//${url.host}${path}`;
  return { url: source, label: hasScheme ? source : url.host };
}

/** Splits repeated and comma-separated `--endpoint` values; empty input means the default endpoint. */
export function parseEndpoints(values: readonly string[]): Endpoint[] {
  const parts = values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
  const seen = new Set<string>();
  const out: Endpoint[] = [];
  for (const part of parts.length === 0 ? [DEFAULT_ENDPOINT] : parts) {
    const endpoint = parseEndpoint(part);
    if (!seen.has(endpoint.url)) out.push(endpoint);
    seen.add(endpoint.url);
  }
  return out;
}
