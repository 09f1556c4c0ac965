import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { answerClientError, answerConnect } from "./client-error";
import { HttpError } from "../responses/http-error";
import { onceEnded } from "../responses/respond";
import { sendError } from "../responses/respond";

const NO_HOST = new HttpError(400, "HTTP/1.1 request without a Host header: send one, e.g. 'Host: localhost'");

/**
 * A connection that neither sends nor takes a byte for this long is closed: a client that stops
 * reading a large answer would otherwise hold it, its socket and its list slot (`maxListQueries`)
 * for as long as it stays connected. Event streams are exempt (their heartbeats find dead clients).
 */
export const IDLE_TIMEOUT_MS = 30_000;

/**
 * Requests one connection may have waiting for their answers at once. Node reads every request
 * pipelined in one packet and each answer is made at once and held until those before it are
 * sent: 1,500 `GET /stats` on one connection that never reads held 200 MB. Past this, the request
 * is answered 429 and the connection closes after it.
 */
export const MAX_PIPELINED = 8;

const TOO_MANY_PIPELINED = new HttpError(
  429,
  `more than ${MAX_PIPELINED} requests pipelined on one connection: wait for their answers before sending more`,
);

/**
 * The Node server under `serve()`: every answer is JSON, Node's own included. Node answers some
 * requests itself with an empty body (HTTP/1.1 without `Host` → 400, an `Expect` it does not know
 * → 417), malformed HTTP with a bare status line, and CONNECT by closing; here each gets a JSON
 * `{ error }` instead. Every connection ends: see IDLE_TIMEOUT_MS, MAX_PIPELINED and client-error.ts.
 */
export function createApiServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const waiting = new WeakMap<Socket, number>();
  const server = createServer({ requireHostHeader: false }, (req, res) => {
    const socket = req.socket;
    const count = (waiting.get(socket) ?? 0) + 1;
    waiting.set(socket, count);
    onceEnded(res, () => waiting.set(socket, waiting.get(socket)! - 1));
    if (count > MAX_PIPELINED) {
      res.shouldKeepAlive = false;
      return sendError(res, TOO_MANY_PIPELINED);
    }
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
  server.on("connect", answerConnect);
  // Headers must arrive promptly; event streams are long responses, not long requests.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  // No "timeout" listener: Node destroys a connection idle this long.
  server.setTimeout(IDLE_TIMEOUT_MS);
  // A client that ends its side after its request still gets the whole answer: Node's default
  // ends the connection at once, cutting a list that goes out a slice per turn.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.on("clientError", answerClientError);
  return server;
}
