import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * CORS by allow-list: an answer carries `Access-Control-Allow-Origin` only for a listed origin,
 * echoed back, never `*` (the original's `*` let any web page a user visited read the list and
 * cancel tasks through the browser).
 */
export class Cors {
  constructor(private readonly origins: ReadonlySet<string>) {}

  /** Adds the CORS headers for the request's origin when it is allowed. */
  apply(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (origin === undefined || !this.origins.has(origin)) return;
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("vary", "Origin");
  }
}

/**
 * Answers a preflight (`OPTIONS`) for a route allowing `methods`: as the original, with
 * `Access-Control-Allow-Methods`, plus the headers a browser needs to send a token.
 */
export function answerOptions(res: ServerResponse, methods: readonly string[]): void {
  const callable = methods.filter((m) => m !== "HEAD" && m !== "OPTIONS").join(", ");
  res.writeHead(204, {
    allow: methods.join(", "),
    "access-control-allow-methods": callable,
    "access-control-allow-headers": "Authorization, Content-Type",
    "access-control-max-age": "600",
  });
  res.end();
}
