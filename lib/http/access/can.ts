// What a list of rights allows, with no Node API: the server's rights and the page's "may this
// token cancel this task?" read the same rules.

/** The rights a token may hold; `cancel` and `force` also as `cancel:<glob>` / `force:<glob>`. */
export const RIGHTS = ["read", "cancel", "force", "profile", "audit"] as const;
export type Right = (typeof RIGHTS)[number];

/** `*` any run of characters, `?` one; everything else literal; the whole name must match. */
export function globRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[\\s\\S]*")
    .replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}

/**
 * Whether rights as listed (`["read", "cancel:Reports.*"]`) allow killing a task named `name`
 * (`force`: a forced kill). A forced kill cancels first, so it needs the cancel right for the name
 * as well as the force right: `["cancel:Reports.*", "force"]` forces Reports.* tasks only.
 */
export function canKill(can: readonly string[], name: string, force = false): boolean {
  const allows = (right: "cancel" | "force") =>
    can.some((c) => c === right || (c.startsWith(`${right}:`) && globRegExp(c.slice(right.length + 1)).test(name)));
  return allows("cancel") && (!force || allows("force"));
}
