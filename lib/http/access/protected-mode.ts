import type { IncomingMessage } from "node:http";
import { HttpError } from "../responses/http-error";
import type { HttpConfig } from "../options";
import { isLoopback } from "../../core/killed-by";

/**
 * Protected mode without a token, as Redis's: a peer that is not on this machine's loopback may
 * do nothing at all, since task attributes carry URIs and user names. Returns the 403 to answer,
 * or undefined when the request may go on.
 */
export function remoteRefusal(config: HttpConfig, req: IncomingMessage): HttpError | undefined {
  if (!config.protectedMode || config.tokens.size !== 0) return undefined;
  const peer = config.peer(req);
  if (isLoopback(peer)) return undefined;
  return new HttpError(
    403,
    `protected mode: ${req.method ?? "a request"} from ${peer ?? "an unknown address"} refused because no token is set and the peer is not on loopback; ` +
      "set a token (the token option or PROCLIST_TOKEN) to allow remote access, or pass protectedMode: false",
  );
}
