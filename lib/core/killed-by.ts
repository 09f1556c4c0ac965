import { isIP, isIPv4 } from "node:net";

// Who killed a task, as `Task.killedBy` records it: a named killer (`deadline`, `client` for a
// request whose client went away), or whoever asked over the network, as `label@where` (a token's
// label, or another name such as `cli`, at an address or a place such as `fleet-api`) or the bare
// address without a label. This module writes the format and reads it back.

/** Who asked for a kill, as recorded with it: `where` (an address, or "unknown"), prefixed by `label@` when there is a label. */
export function requester(label: string | undefined, where: string | undefined): string {
  const at = where ?? "unknown";
  return label ? `${label}@${at}` : at;
}

/** Whether an address is on this machine's loopback: 127.0.0.0/8, ::1, or IPv4-mapped 127.x. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (address === "::1") return true;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return isIPv4(v4) && v4.startsWith("127.");
}

/**
 * The kind of killer a `killedBy` names, from a small set whatever connects: the label of
 * `label@where`; for a bare address its kind (`loopback`, `remote`, `unknown`); a named killer
 * (`deadline`, `client`) as it is; `code` when the application killed without saying who.
 */
export function killerKind(killedBy: string | undefined): string {
  if (killedBy === undefined || killedBy === "") return "code";
  const at = killedBy.lastIndexOf("@");
  if (at > 0) return killedBy.slice(0, at);
  if (killedBy === "unknown") return "unknown";
  if (isIP(killedBy) !== 0) return isLoopback(killedBy) ? "loopback" : "remote";
  // Anything else that still looks like an address (host:port, [v6]:port) is a remote peer, not a label.
  return /^[a-z][\w-]{0,31}$/i.test(killedBy) ? killedBy.toLowerCase() : "remote";
}
