import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { isHeldOpen } from "./long-response";

/** How long a connection may stay open once its request was found malformed, whatever it waits for. */
const LINGER_MS = 30_000;

/** Sockets whose malformed request is already being answered: a failed parser may report again. */
const answering = new WeakSet<Socket>();

/**
 * The server's `clientError` listener: malformed HTTP (bad request line, oversized headers, a
 * request that took too long) gets a JSON answer, then the connection closes.
 *
 * The answer is written on the raw socket, so it waits until every response already under way on
 * that connection has finished: a malformed request pipelined behind a large list, which goes out
 * a slice per event-loop turn, must not have its 400 land inside the 200 body. It does not wait
 * for a response that cannot finish: one whose request body never fully arrived (its handler
 * waits for the rest, which this broken connection will not bring), or one held open (an event stream).
 *
 * Once the answer is out the socket is destroyed, as Node's own answer does. Ending it is not
 * enough: the server's sockets are half-open, and this one reads nothing more (paused, its parser
 * failed), so it never sees the client's end; a client that sent garbage and closed left one open
 * socket behind, for good (the soak held ~600 of them after 50,000 requests). Whatever happens,
 * the connection is destroyed LINGER_MS after the fault.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (answering.has(socket)) return;
  answering.add(socket);
  socket.pause(); // read nothing more from a connection that is ending
  const linger = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  socket.once("close", () => clearTimeout(linger));
  const [status, text] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout"]
        : [400, "Bad Request"];
  const body = JSON.stringify({ error: `malformed HTTP request: ${text.toLowerCase()}` });
  whenIdle(socket, () => endWith(socket, `HTTP/1.1 ${status} ${text}`, body));
}

/** The server's `connect` listener: CONNECT is no method of this API; Node would close without a word. */
export function answerConnect(_req: IncomingMessage, socket: Socket): void {
  endWith(
    socket,
    "HTTP/1.1 405 Method Not Allowed",
    JSON.stringify({ error: "CONNECT is not supported: this is the proclist API, not a proxy" }),
  );
}

/** Writes a whole JSON answer on the raw socket and destroys it once flushed. */
function endWith(socket: Socket, statusLine: string, body: string): void {
  if (!socket.writable) return void socket.destroy();
  socket.end(
    `${statusLine}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/**
 * Calls `then` once no response is attached to `socket`. Node attaches the responses of pipelined
 * requests one after the other, each when the one before has finished (its own `finish` listener,
 * registered first, moves the next one in), so this waits for them in turn. A response that can
 * never finish is not waited for: `then` runs at once if it has not started, else the connection
 * ends with what was sent of it and is destroyed (nothing can be answered after a part of another answer).
 */
function whenIdle(socket: Socket, then: () => void): void {
  const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (res === undefined || res === null || socket.destroyed) return then();
  if (res.req?.complete === false || isHeldOpen(res)) {
    // Ended a turn later: what the response wrote in this one may still wait in its own buffer.
    if (res.headersSent) return void setImmediate(() => socket.end(() => socket.destroy()));
    return then();
  }
  let done = false;
  const next = (): void => {
    if (done) return;
    done = true;
    res.off("finish", next);
    res.off("close", next);
    whenIdle(socket, then);
  };
  res.once("finish", next);
  res.once("close", next);
}
