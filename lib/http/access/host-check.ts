import { isIP } from "node:net";

/**
 * The DNS-rebinding defence of protected mode. A web page can point its own host name at
 * 127.0.0.1 and then call a loopback API "same-origin", with the user's browser as a loopback
 * peer; only the Host header gives it away. Hosts that are IP literals, `localhost` (and
 * `*.localhost`) or listed in `allowedHosts` are this machine; others are refused.
 */
export class HostCheck {
  private lastAllowed: string | undefined;

  constructor(private readonly allowed: ReadonlySet<string>) {}

  /** Whether a Host header names this machine; a request without one did not come from a browser. */
  allows(host: string | undefined): boolean {
    if (host === undefined || host === this.lastAllowed) return true;
    const name = hostName(host).toLowerCase();
    const ok = isIP(name) !== 0 || name === "localhost" || name.endsWith(".localhost") || this.allowed.has(name);
    if (ok) this.lastAllowed = host;
    return ok;
  }
}

/** The name in a Host header: without the port, IPv6 without brackets. */
function hostName(host: string): string {
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    return end < 0 ? host : host.slice(1, end);
  }
  const colon = host.lastIndexOf(":");
  return colon < 0 ? host : host.slice(0, colon);
}
