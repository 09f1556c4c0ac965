/**
 * How a wait names what it waits on. Targets are shown to operators and kept in histories, so
 * they never carry a query string (tokens travel there) nor command arguments (keys and values).
 */

/** A request path without its query string or fragment. */
export function pathOnly(path: unknown): string {
  if (typeof path !== "string") return "/";
  let end = path.indexOf("?");
  const hash = path.indexOf("#");
  if (hash !== -1 && (end === -1 || hash < end)) end = hash;
  return end === -1 ? path : path.slice(0, end);
}

// A service talks to a few origins over and over: each one's `host:port` is worked out once.
const hostPorts = new Map<string, string>();
const MAX_ORIGINS = 256;

/** `host:port` of an origin (`https://payments` → `payments:443`), the port the scheme's default when absent. */
export function originHostPort(origin: unknown): string {
  const text = typeof origin === "string" ? origin : origin instanceof URL ? origin.origin : String(origin);
  let hostPort = hostPorts.get(text);
  if (hostPort === undefined) {
    hostPort = hostPortOf(text);
    if (hostPorts.size >= MAX_ORIGINS) hostPorts.clear();
    if (text.length <= 256) hostPorts.set(text, hostPort);
  }
  return hostPort;
}

function hostPortOf(text: string): string {
  const scheme = text.indexOf("://");
  const authority = scheme === -1 ? text : text.slice(scheme + 3);
  const slash = authority.indexOf("/");
  const host = slash === -1 ? authority : authority.slice(0, slash);
  return withPort(host, scheme === -1 ? "" : text.slice(0, scheme + 1));
}

/** `host` as given (`name`, `name:8080`, `[::1]:8080`), with the default port of `protocol` (`http:`, `https:`…) when it has none. */
export function withPort(host: string, protocol: string): string {
  const close = host.lastIndexOf("]");
  if (host.indexOf(":", close + 1) !== -1) return host;
  return `${host}:${DEFAULT_PORTS[protocol.toLowerCase()] ?? "80"}`;
}

const DEFAULT_PORTS: Record<string, string> = { "http:": "80", "https:": "443", "ws:": "80", "wss:": "443" };

/** `address:port`, or the socket path alone. */
export function serverOf(address: unknown, port: unknown): string {
  const host = typeof address === "string" && address.length > 0 ? address : "localhost";
  return port === undefined || port === null ? host : `${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${String(port)}`;
}
