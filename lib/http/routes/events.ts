import type { EventHub } from "../event-hub";
import { handle, type Handler } from "../handler";
import { HttpError } from "../http-error";
import { checkQuery } from "../inputs";

/**
 * `GET /procs/events`: a Server-Sent Events stream of start / status / attr / kill / done events
 * (`?id=` or `?name=` to follow fewer), so monitors stop polling. Subscribe first, then read
 * `/procs/` once: no event is missed between the two.
 */
export function eventsRoute(hub: EventHub<unknown>): Handler {
  return handle((req, res) => {
    checkQuery("eventsQuery", req.query);
    if (hub.full) throw new HttpError(429, "too many event streams open; close one or raise maxEventClients", { "retry-after": "5" });
    // Set apart, so that it can be read back (client-error.ts does not wait for a stream to end).
    res.setHeader("content-type", "text/event-stream; charset=utf-8");
    res.writeHead(200, {
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    // A stream can be quiet for long: its heartbeats find dead clients, not the server's idle timeout.
    req.socket.setTimeout(0);
    // A client that closes sends its end first: the stream ends then, not at a failed heartbeat
    // (the server keeps half-open connections, so that other answers reach such clients whole).
    req.socket.once("end", () => res.destroy());
    // A first line at once, so clients (and curl) see the stream is open before any event.
    res.write(": proclist events\nretry: 2000\n\n");
    hub.add(res, { id: req.query.id as string | undefined, name: req.query.name as string | undefined });
  });
}
