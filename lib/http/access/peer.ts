import { isIPv4 } from "node:net";

/** Whether an address is on this machine's loopback: 127.0.0.0/8, ::1, or IPv4-mapped 127.x. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (address === "::1") return true;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return isIPv4(v4) && v4.startsWith("127.");
}

/** Who asked, as recorded with a kill: the peer address, prefixed by the token label if any. */
export function requester(peer: string | undefined, label: string | undefined): string {
  const address = peer ?? "unknown";
  return label ? `${label}@${address}` : address;
}
