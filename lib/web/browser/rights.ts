import { canKill } from "../../http/access/can";
import type { Api } from "./api";

/**
 * What the page's token may do, from `GET /whoami`: until it answers, and from a server without
 * that route, everything is offered (the server still refuses what the token may not do, and the
 * page shows its refusal).
 */
export const rights: { label: string; can: readonly string[] | undefined } = { label: "", can: undefined };

/** Reads the token's rights again (at start and after the token changed); resolves whether they changed. */
export async function loadRights(api: Api): Promise<boolean> {
  let answer: { label?: unknown; can?: unknown };
  try {
    answer = await api.get<{ label?: unknown; can?: unknown }>("whoami");
  } catch {
    return false; // no /whoami (an older server), or no token yet: offer everything
  }
  if (!Array.isArray(answer.can) || !answer.can.every((c) => typeof c === "string")) return false;
  const before = JSON.stringify(rights.can);
  rights.label = typeof answer.label === "string" ? answer.label : "";
  rights.can = answer.can as string[];
  return JSON.stringify(rights.can) !== before;
}

/** Whether the token may cancel (`force`: force-kill) a task of this name. */
export function mayCancel(name: string, force = false): boolean {
  return rights.can === undefined || canKill(rights.can, name, force);
}

/** Whether the token may read the audit: undefined while the server has not said (no `/whoami`, or not read yet). */
export function mayAudit(): boolean | undefined {
  return rights.can === undefined ? undefined : rights.can.includes("audit");
}

/** Whether the token may run a CPU profile: until the server says, and from a server without `/whoami`, it may. */
export function mayProfile(): boolean {
  return rights.can === undefined || rights.can.includes("profile");
}
