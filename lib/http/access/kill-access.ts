import type { IncomingMessage } from "node:http";
import type { HttpConfig } from "../options";
import { requester } from "../../core/killed-by";
import { remoteRefusal } from "./protected-mode";

/**
 * The checks every kill route makes before changing anything (the guard made them already; a
 * route mounted without it stays protected): protected mode refuses a remote peer while no token
 * is set. Returns who asks, as recorded with the kill.
 */
export function killRequester(req: IncomingMessage & { tokenLabel?: string | undefined }, config: HttpConfig): string {
  const refusal = remoteRefusal(config, req);
  if (refusal !== undefined) throw refusal;
  return requester(req.tokenLabel, config.peer(req));
}
