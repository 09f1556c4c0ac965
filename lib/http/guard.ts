import type { ServerResponse } from "node:http";
import type { TokenCheck } from "./auth";
import { answerOptions, type Cors } from "./cors";
import type { ApiRequest } from "./handler";
import { sendError } from "./respond";

/**
 * The middleware in front of every route: CORS headers for listed origins, preflights (which a
 * browser sends without credentials, so before the token check), then the bearer token.
 */
export function guard(cors: Cors, tokens: TokenCheck, allowedMethods: (path: string) => string[]) {
  return (req: ApiRequest, res: ServerResponse, next: () => void): void => {
    cors.apply(req, res);
    if (req.method === "OPTIONS") {
      const methods = allowedMethods(req.path);
      if (methods.length !== 0) return answerOptions(res, [...methods, "OPTIONS"]);
    }
    if (tokens.enabled) {
      try {
        req.tokenLabel = tokens.check(req);
      } catch (error) {
        return sendError(res, error);
      }
    }
    next();
  };
}
