import { NAME_PATTERN } from "./options";

const NAME = new RegExp(NAME_PATTERN);

/** A task across the fleet: `<instance>/<id>`, the instance name being free of "/". */
export interface FleetTaskId {
  instance: string;
  id: string;
}

/**
 * Reads `<instance>/<id>` (split at the first "/": ids may hold more). Throws a TypeError naming
 * the text when it has no instance part, a bad instance name, or an empty or too long id.
 */
export function parseFleetId(text: string): FleetTaskId {
  const at = text.indexOf("/");
  const bad = (why: string) =>
    new TypeError(`invalid fleet task ${JSON.stringify(text.length > 80 ? text.slice(0, 80) + "…" : text)}: ${why}`);
  if (at < 0) throw bad("a task in the fleet is named <instance>/<id>, as ls shows it");
  const instance = text.slice(0, at);
  const id = text.slice(at + 1);
  if (!NAME.test(instance)) throw bad(`${JSON.stringify(instance)} is not an instance name`);
  if (id.length === 0 || id.length > 256) throw bad("the id after the instance must be 1 to 256 characters");
  return { instance, id };
}
