// What a list of rights allows, with no Node API: the server's rights and the page's "may this
// token cancel this task?" read the same rules.

/** The rights a token may hold; `cancel` and `force` also as `cancel:<glob>` / `force:<glob>`. */
export const RIGHTS = ["read", "cancel", "force", "profile", "audit"] as const;
export type Right = (typeof RIGHTS)[number];

/**
 * Whether `name` matches `glob` as a whole: `*` any run of characters, `?` one, everything else
 * literal. Matched in O(glob × name) steps at worst: as a regular expression, a glob such as
 * `*a*a*a*a*a*a*b` backtracked in time growing as the name's length to the power of its stars (40
 * characters, 0.1 s; a few hundred, hours), and a fleet instance reads globs from Redis.
 */
export function globMatches(glob: string, name: string): boolean {
  let g = 0;
  let n = 0;
  // Where the last `*` was, and where in the name it started: on a mismatch it takes one more
  // character. Earlier stars never need to take more, as the last one can take it instead.
  let star = -1;
  let from = 0;
  while (n < name.length) {
    if (g < glob.length && (glob[g] === "?" || (glob[g] !== "*" && glob[g] === name[n]))) {
      g++;
      n++;
    } else if (g < glob.length && glob[g] === "*") {
      star = g++;
      from = n;
    } else if (star >= 0) {
      g = star + 1;
      n = ++from;
    } else {
      return false;
    }
  }
  while (g < glob.length && glob[g] === "*") g++;
  return g === glob.length;
}

/**
 * Whether rights as listed (`["read", "cancel:Reports.*"]`) allow killing a task named `name`
 * (`force`: a forced kill). A forced kill cancels first, so it needs the cancel right for the name
 * as well as the force right: `["cancel:Reports.*", "force"]` forces Reports.* tasks only.
 */
export function canKill(can: readonly string[], name: string, force = false): boolean {
  const allows = (right: "cancel" | "force") =>
    can.some((c) => c === right || (c.startsWith(`${right}:`) && globMatches(c.slice(right.length + 1), name)));
  return allows("cancel") && (!force || allows("force"));
}

/** Whether rights as listed hold `right` at all: plainly, or (cancel, force) for some names. */
export function holdsRight(can: readonly string[], right: string): boolean {
  return can.some((c) => c === right || c.startsWith(`${right}:`));
}

/** Whether rights as listed allow killing some task (`force`: force-killing one, which needs the cancel right too). */
export function canKillSome(can: readonly string[], force = false): boolean {
  return holdsRight(can, "cancel") && (!force || holdsRight(can, "force"));
}
