import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { answerClientError } from "./client-error";
import { HttpError } from "./http-error";
import { sendError } from "./respond";

const NO_HOST = new HttpError(400, "HTTP/1.1 request without a Host header: send one, e.g. 'Host: localhost'");

/**
 * The Node server under `serve()`: every answer is JSON, Node's own included. Node answers some
 * requests itself with an empty body (HTTP/1.1 without `Host` → 400, an `Expect` it does not know
 * → 417) and malformed HTTP with a bare status line; here each gets a JSON `{ error }` instead.
 */
export function createApiServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const server = createServer({ requireHostHeader: false }, (req, res) => {
    if (req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1) {
      res.shouldKeepAlive = false;
      return sendError(res, NO_HOST);
    }
    handler(req, res);
  });
  // With a listener, Node leaves unknown expectations to us (100-continue keeps its own handling).
  server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) => {
    res.shouldKeepAlive = false;
    const expect = String(req.headers.expect).slice(0, 100);
    sendError(res, new HttpError(417, `unsupported Expect header ${JSON.stringify(expect)}: only "100-continue" is understood`));
  });
  // Headers must arrive promptly; event streams are long responses, not long requests.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on("clientError", answerClientError);
  return server;
}
