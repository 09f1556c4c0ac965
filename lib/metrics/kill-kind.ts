import { isIP } from "node:net";
import { isLoopback } from "../http/access/peer";

/** Distinct `by_kind` values kept; past it kinds fold into "(other)", as names do in the stats. */
const MAX_KINDS = 32;
const OTHER = "(other)";

/**
 * Who asked for a kill, as a bounded label: the token label when a token was used, else the
 * peer's kind (`loopback`, `remote`, `unknown`), or the named killers (`client` for a request whose
 * client went away, `deadline`); `code` when the application killed without saying who. Never an
 * address: the label set must stay small whatever connects.
 */
export class KillKinds {
  private readonly seen = new Set<string>();

  of(killedBy: string | undefined): string {
    const kind = kindOf(killedBy);
    if (this.seen.has(kind)) return kind;
    if (this.seen.size >= MAX_KINDS) return OTHER;
    this.seen.add(kind);
    return kind;
  }
}

function kindOf(killedBy: string | undefined): string {
  if (killedBy === undefined || killedBy === "") return "code";
  // The HTTP layer records `label@address` with a labelled token, the bare address without.
  const at = killedBy.lastIndexOf("@");
  if (at > 0) return killedBy.slice(0, at);
  if (killedBy === "unknown") return "unknown";
  if (isIP(killedBy) !== 0) return isLoopback(killedBy) ? "loopback" : "remote";
  // Anything else that still looks like an address (host:port, [v6]:port) is a remote peer, not a label.
  return /^[a-z][\w-]{0,31}$/i.test(killedBy) ? killedBy.toLowerCase() : "remote";
}
