/**
 * The URL a server listening on `host` answers at, for `ServedApi.url`. A wildcard host
 * (`0.0.0.0`, `::`) is not an address to connect to (browsers refuse it), so the loopback
 * address of its family stands in: it reaches the server from this machine. IPv6 in brackets.
 */
export function baseUrl(host: string, port: number): string {
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}
