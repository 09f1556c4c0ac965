import type { IncomingMessage, ServerResponse } from "node:http";
import type { Polka } from "polka";

/**
 * Makes the app answer `//procs/` as `/procs/`: a client given a base URL with a trailing slash
 * (`http://host:8081/`) appends `/procs/` to it, and the original Go client does so unescaped; the
 * Go original's router redirected such paths to the clean one. Only the leading run of slashes is
 * collapsed, before the routes are looked up, whether the app listens itself or is mounted.
 */
export function acceptLeadingSlashes(app: Polka): void {
  const route = app.handler as (req: IncomingMessage, res: ServerResponse, info?: { pathname: string }) => void;
  const handler = (req: IncomingMessage, res: ServerResponse, info?: { pathname: string }) => {
    if (info !== undefined) {
      if (info.pathname.startsWith("//")) info.pathname = info.pathname.replace(/^\/+/, "/");
    } else if (req.url?.startsWith("//")) req.url = req.url.replace(/^\/+/, "/");
    route(req, res, info);
  };
  (app as { handler: unknown }).handler = handler;
}
