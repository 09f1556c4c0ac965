import type { ServerResponse } from "node:http";
import polka, { type Polka } from "polka";
import type { AuditLog } from "../audit/log";
import { TokenCheck } from "./access/auth";
import { Cors } from "./access/cors";
import { guard, requires } from "./access/guard";
import { HostCheck } from "./access/host-check";
import type { Right } from "./access/rights";
import type { HttpConfig } from "./options";
import { webPageMiddleware } from "./page";
import type { ApiRequest, Handler } from "./responses/handler";
import { HttpError } from "./responses/http-error";
import { sendError } from "./responses/respond";
import { auditRefusals } from "./routes/audited";
import { acceptLeadingSlashes } from "./server/leading-slashes";

// The polka app of the API and of the fleet API with what stands in front of their routes, and
// what their routes answer for the 404s, 405s and preflights.

/**
 * A polka app with what both APIs put before their routes: JSON errors, 404 and 405 answers, `//`
 * paths taken as `/`, the web page at `/` (it holds no data), then the guard (protected mode, Host,
 * CORS, token; refused kills audited to `audit`, who asked said by `byOf`). `get` adds a GET and
 * HEAD route that needs `right` (none for `undefined`; kills check theirs per task).
 */
export function guardedApp(
  config: HttpConfig,
  audit: AuditLog,
  byOf?: Parameters<typeof auditRefusals>[2],
): { app: Polka; get(path: string, right: Right | undefined, route: Handler): void } {
  const app = polka({ onError: (error, req, res) => sendError(res, error), onNoMatch: (req, res) => noMatch(app, req as ApiRequest, res) });
  acceptLeadingSlashes(app);
  app.use(webPageMiddleware() as never);
  app.use(
    guard(
      config,
      new HostCheck(config.allowedHosts),
      new Cors(config.cors),
      new TokenCheck(config.tokens),
      (path) => allowedMethods(app, path),
      auditRefusals(audit, config, byOf),
    ) as never,
  );
  const get = (path: string, right: Right | undefined, route: Handler) => {
    const handler = right === undefined ? route : requires(right, route);
    app.get(path, handler as never).head(path, handler as never);
  };
  return { app, get };
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

/** The methods a path answers (for 405 and preflights). */
export function allowedMethods(app: Polka, path: string): string[] {
  return METHODS.filter((method) => (app.find(method, path) as unknown) !== false);
}

/** Answers a request no route took: 405 with `Allow` when the path answers other methods, else 404 (JSON). */
export function noMatch(app: Polka, req: ApiRequest, res: ServerResponse): void {
  const allowed = allowedMethods(app, req.path);
  if (allowed.length === 0) return sendError(res, new HttpError(404, `no such route: ${req.method} ${shorten(req.path)}`));
  const allow = [...allowed, "OPTIONS"].join(", ");
  sendError(res, new HttpError(405, `method ${req.method} not allowed on ${shorten(req.path)}; allowed: ${allow}`, { allow }));
}

function shorten(path: string): string {
  return path.length > 100 ? path.slice(0, 100) + "…" : path;
}
