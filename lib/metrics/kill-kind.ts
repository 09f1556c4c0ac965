import { killerKind } from "../core/killed-by";

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
    const kind = killerKind(killedBy);
    if (this.seen.has(kind)) return kind;
    if (this.seen.size >= MAX_KINDS) return OTHER;
    this.seen.add(kind);
    return kind;
  }
}
