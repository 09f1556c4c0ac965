import type { ServerResponse } from "node:http";
import type { Polka } from "polka";
import type { ApiRequest } from "./responses/handler";
import { HttpError } from "./responses/http-error";
import { sendError } from "./responses/respond";

// What the routes of a polka app answer, for the 404s, 405s and preflights of the API and the fleet API.

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
