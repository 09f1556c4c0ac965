import type { EventHub } from "../events/hub";
import { handle, type Handler } from "../responses/handler";
import { HttpError } from "../responses/http-error";
import { checkQuery } from "../inputs/checks";
import { holdOpen } from "../server/long-response";

/**
 * `GET /procs/events`: a Server-Sent Events stream of start / status / attr / kill / done events
 * (`?id=` or `?name=` to follow fewer), so monitors stop polling. Subscribe first, then read
 * `/procs/` once: no event is missed between the two. Each event has an `id:`; a client that
 * reconnects with `Last-Event-ID` gets what it missed, or a `reset` event (read the list again).
 */
export function eventsRoute(hub: EventHub<unknown>): Handler {
  return handle((req, res) => {
    checkQuery("eventsQuery", req.query);
    if (hub.full) throw new HttpError(429, "too many event streams open; close one or raise maxEventClients", { "retry-after": "5" });
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    holdOpen(req, res);
    // A first line at once, so clients (and curl) see the stream is open before any event.
    res.write(": proclist events\nretry: 2000\n\n");
    const lastEventId = req.headers["last-event-id"];
    hub.add(
      res,
      { id: req.query.id as string | undefined, name: req.query.name as string | undefined },
      typeof lastEventId === "string" ? lastEventId.slice(0, 100) : undefined,
    );
  });
}
