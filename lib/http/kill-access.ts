import type { IncomingMessage } from "node:http";
import { HttpError } from "./http-error";
import type { HttpConfig } from "./options";
import { isLoopback, requester } from "./peer";

/**
 * The checks every kill route makes before changing anything: protected mode refuses a remote
 * peer while no token is set. Returns who asks, as recorded with the kill.
 */
export function killRequester(req: IncomingMessage & { tokenLabel?: string | undefined }, config: HttpConfig): string {
  const peer = config.peer(req);
  if (config.protectedMode && config.tokens.size === 0 && !isLoopback(peer)) {
    throw new HttpError(
      403,
      `protected mode: DELETE from ${peer ?? "an unknown address"} refused because no token is set; ` +
        "set a token (the token option or PROCLIST_TOKEN) to allow remote kills, or pass protectedMode: false",
    );
  }
  return requester(peer, req.tokenLabel);
}
