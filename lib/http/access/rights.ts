import type { IncomingMessage } from "node:http";
import { HttpError } from "../responses/http-error";

import { canKill, holdsRight, RIGHTS, type Right } from "./can";

// What a token may do. `read`: every list, task, history, event stream, stats and metrics.
// `cancel` / `force`: kill (plainly / forced), every task or, as `cancel:<glob>`, tasks whose name
// matches (`*` any run of characters, `?` one). `profile`: CPU profiles. `audit`: the audit log.
export { RIGHTS, type Right } from "./can";

/** A token's rights, parsed once at start. A plain string token, and a server without tokens, have them all. */
export class Grant {
  private constructor(
    /** The token's label ("" for a single unlabelled token or none). */
    readonly label: string,
    /** The rights as configured, e.g. `["read", "cancel:Reports.*"]`. */
    readonly can: readonly string[],
  ) {}

  /** Every right. */
  static full(label = ""): Grant {
    return new Grant(label, RIGHTS);
  }

  /** Parses a `can` list; a TypeError names `where` and the entry that is wrong. */
  static parse(label: string, can: unknown, where: string): Grant {
    if (!Array.isArray(can) || can.length === 0)
      throw new TypeError(`invalid option "${where}": must list at least one right (${RIGHTS.join(", ")}, cancel:<glob>, force:<glob>)`);
    for (const entry of can) {
      if (typeof entry !== "string")
        throw new TypeError(`invalid option "${where}": a right must be a string, got ${JSON.stringify(entry)}`);
      const colon = entry.indexOf(":");
      const right = colon < 0 ? entry : entry.slice(0, colon);
      if (colon >= 0 && (right === "cancel" || right === "force")) {
        const glob = entry.slice(colon + 1);
        if (glob === "")
          throw new TypeError(`invalid option "${where}": "${entry}" has an empty name pattern; write "${right}" for every task`);
      } else if (!(RIGHTS as readonly string[]).includes(entry)) {
        throw new TypeError(
          `invalid option "${where}": unknown right ${JSON.stringify(entry.slice(0, 100))}; rights are ${RIGHTS.join(", ")}, cancel:<glob> and force:<glob>`,
        );
      }
    }
    return new Grant(label, [...can] as string[]);
  }

  /** Whether the token holds `right` at all (for cancel and force: for every task or some names). */
  has(right: Right): boolean {
    return holdsRight(this.can, right);
  }

  /** Whether the token may kill a task of this name (`force`: a forced kill, which cancels first, so it needs both rights for the name). */
  mayKill(name: string, force = false): boolean {
    return canKill(this.can, name, force);
  }

  /**
   * The kill rights when they are limited to names (sent along with a fleet kill, with `read` when
   * the token has it, so the instance's refusal may name the task), else undefined.
   */
  get killScope(): string[] | undefined {
    if (this.can.includes("cancel") && this.can.includes("force")) return undefined;
    return this.can.filter((c) => c === "read" || c === "cancel" || c === "force" || c.startsWith("cancel:") || c.startsWith("force:"));
  }

  /** Who the token is, for refusals: `token "alice"`, or `this token` when it has no label. */
  get who(): string {
    return this.label === "" ? "this token" : `token ${JSON.stringify(this.label)}`;
  }
}

const FULL = Grant.full();

/** The grant the guard found for a request; full when the server has no tokens (protected mode governs then). */
export function grantOf(req: IncomingMessage & { grant?: Grant | undefined }): Grant {
  return req.grant ?? FULL;
}

/** Throws the 403 naming the missing right unless the request's token holds `right`. */
export function requireRight(req: IncomingMessage & { grant?: Grant | undefined }, right: Right): void {
  const grant = grantOf(req);
  if (!grant.has(right)) throw new HttpError(403, `${grant.who} lacks the right "${right}"`);
}

/** Throws the 403 naming the missing right unless `grant` may kill a task named `name`. */
export function requireKill(grant: Grant, shownId: string, name: string, force = false): void {
  if (grant.mayKill(name, force)) return;
  const right = grant.mayKill(name) ? "force" : "cancel";
  // The name only to a token that may read it: a kill-only token learns no more from a refusal than from a list.
  const named = grant.has("read") ? ` (named ${JSON.stringify(name.slice(0, 200))})` : "";
  throw new HttpError(
    403,
    `${grant.who} lacks the right "${right}" for task ${JSON.stringify(shownId)}${named}; it has: ${grant.can.join(", ")}`,
  );
}

/** Throws the 403 unless the request's token may kill some task at all: the check before any body is read. */
export function requireSomeKill(req: IncomingMessage & { grant?: Grant | undefined }, force = false): void {
  requireRight(req, force ? "force" : "cancel");
}
