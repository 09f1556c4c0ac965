import { DEFAULT_GRACE_MS, MAX_GRACE_MS, SETTLE_MS } from "../core/force";
import { forceFields } from "../wire/force";
import type { WireKilled } from "../wire/shapes";
import type { KillRequestOptions, RemoteKilled } from "./types";

/**
 * A kill's body and the time its answer may take beyond a plain request's, from the message or
 * the options of `kill()`; a TypeError names a bad option before anything is sent.
 */
export function killRequest(options: string | KillRequestOptions | undefined): {
  body: string | undefined;
  extraMs: number;
  boot?: string;
} {
  if (options === undefined) return { body: undefined, extraMs: 0 };
  if (typeof options === "string") return { body: JSON.stringify({ message: options }), extraMs: 0 };
  if (options === null || typeof options !== "object")
    throw new TypeError("kill options must be a message or an object such as { message, force: true, graceMs: 2000 }");
  const { message, force, graceMs, boot } = options;
  if (boot !== undefined && (typeof boot !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(boot)))
    throw new TypeError('invalid kill option "boot": a boot id as a fleet\'s list gives it (1 to 64 letters, digits, _ or -)');
  if (message !== undefined && typeof message !== "string") throw new TypeError('invalid kill option "message": must be a string');
  if (force !== undefined && typeof force !== "boolean") throw new TypeError('invalid kill option "force": must be a boolean');
  if (graceMs !== undefined) {
    if (force !== true) throw new TypeError('kill option "graceMs" is the wait before forcing: it needs force: true');
    if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > MAX_GRACE_MS)
      throw new TypeError(`invalid kill option "graceMs": must be an integer from 0 to ${MAX_GRACE_MS}`);
  }
  const body: Record<string, unknown> = {};
  if (message !== undefined) body.message = message;
  if (force === true) {
    body.force = true;
    if (graceMs !== undefined) body.graceMs = graceMs;
  }
  return {
    body: Object.keys(body).length === 0 ? undefined : JSON.stringify(body),
    extraMs: force === true ? (graceMs ?? DEFAULT_GRACE_MS) + SETTLE_MS : 0,
    ...(boot === undefined ? {} : { boot }),
  };
}

/** A checked `WireKilled` as the client returns it. */
export function toKilled(id: string, wire: WireKilled): RemoteKilled {
  const killed: RemoteKilled = { id };
  if (wire.message !== undefined) killed.message = wire.message;
  if (wire.force !== undefined) killed.force = forceFields(wire.force);
  return killed;
}
