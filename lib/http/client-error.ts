import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** How long an answered connection may take to flush its answer before it is closed regardless. */
const LINGER_MS = 10_000;

/** Sockets whose malformed request is already being answered: a failed parser may report again. */
const answering = new WeakSet<Socket>();

/**
 * The server's `clientError` listener: malformed HTTP (bad request line, oversized headers, a
 * request that took too long) gets a JSON answer, then the connection closes.
 *
 * The answer is written on the raw socket, so it waits until every response already under way on
 * that connection has finished: a malformed request pipelined behind a large list, which goes out
 * a slice per event-loop turn, must not have its 400 land inside the 200 body.
 *
 * Once the answer is out the socket is destroyed, as Node's own answer does. Ending it is not
 * enough: the server's sockets are half-open, and this one reads nothing more (paused, its parser
 * failed), so it never sees the client's end; a client that sent garbage and closed left one open
 * socket behind, for good (the soak held ~600 of them after 50,000 requests). A client that never
 * reads the answer cannot hold it either: past LINGER_MS it is destroyed unflushed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (answering.has(socket)) return;
  answering.add(socket);
  socket.pause(); // read nothing more from a connection that is ending
  const [status, text] =
    error.code === "HPE_HEADER_OVERFLOW" ? [431, "Request Header Fields Too Large"] : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? [408, "Request Timeout"] : [400, "Bad Request"];
  const body = JSON.stringify({ error: `malformed HTTP request: ${text.toLowerCase()}` });
  whenIdle(socket, () => {
    if (!socket.writable) return void socket.destroy();
    const linger = setTimeout(() => socket.destroy(), LINGER_MS).unref();
    socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`, () => {
      clearTimeout(linger);
      socket.destroy();
    });
  });
}

/**
 * Calls `then` once no response is attached to `socket`. Node attaches the responses of pipelined
 * requests one after the other, each when the one before has finished (its own `finish` listener,
 * registered first, moves the next one in), so this waits for them in turn.
 */
function whenIdle(socket: Socket, then: () => void): void {
  const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (res === undefined || res === null || socket.destroyed) return then();
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
