import type { ServerResponse } from "node:http";
import type { TokenCheck } from "./auth";
import { answerOptions, type Cors } from "./cors";
import { handle, type ApiRequest, type Handler } from "../responses/handler";
import type { HostCheck } from "./host-check";
import { HttpError } from "../responses/http-error";
import type { HttpConfig } from "../options";
import { isLoopback } from "../../core/killed-by";
import { remoteRefusal } from "./protected-mode";
import { grantOf, requireRight, type Right } from "./rights";
import { sendError as send } from "../responses/respond";

/**
 * The middleware in front of every route: in protected mode with no token, remote peers are
 * refused and loopback ones get the DNS-rebinding check; CORS headers for listed origins;
 * preflights (which a browser sends without credentials, so before the token check); then the
 * bearer token, and the rights it carries (each route then asks for its own: see `requires`).
 * `onRefused` hears of every request refused here (the audit records refused kills).
 */
export function guard(
  config: HttpConfig,
  hosts: HostCheck,
  cors: Cors,
  tokens: TokenCheck,
  allowedMethods: (path: string) => string[],
  onRefused?: (req: ApiRequest, error: unknown) => void,
) {
  const checkHosts = config.protectedMode && !tokens.enabled;
  const sendError = (req: ApiRequest, res: ServerResponse, error: unknown) => {
    onRefused?.(req, error);
    send(res, error);
  };
  return (req: ApiRequest, res: ServerResponse, next: () => void): void => {
    const refusal = checkHosts ? remoteRefusal(config, req) : undefined;
    if (refusal !== undefined) return sendError(req, res, refusal);
    if (checkHosts && !hosts.allows(req.headers.host) && isLoopback(config.peer(req))) {
      const host = JSON.stringify(req.headers.host!.slice(0, 100));
      return sendError(
        req,
        res,
        new HttpError(
          403,
          `protected mode: Host ${host} is not this machine, as when a web page tries DNS rebinding; ` +
            "use localhost or 127.0.0.1, list the name in allowedHosts, set a token, or pass protectedMode: false",
        ),
      );
    }
    cors.apply(req, res);
    if (req.method === "OPTIONS") {
      const methods = allowedMethods(req.path);
      if (methods.length !== 0) return answerOptions(res, [...methods, "OPTIONS"]);
    }
    if (tokens.enabled) {
      try {
        req.tokenLabel = tokens.check(req);
        req.grant = config.grants.get(req.tokenLabel);
      } catch (error) {
        return sendError(req, res, error);
      }
    }
    next();
  };
}

/**
 * A route that needs `right`: the request is refused with a 403 naming it before `handler` runs.
 * @example get("/procs/profile", requires("profile", profileRoute(manager)))
 */
export function requires(right: Right, handler: Handler): Handler {
  return (req, res) => {
    const grant = grantOf(req);
    if (!grant.has(right)) return handle(() => requireRight(req, right))(req, res);
    return handler(req, res);
  };
}
