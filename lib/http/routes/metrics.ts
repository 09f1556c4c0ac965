import type { MetricsSource } from "../../metrics/endpoint";
import { EXPOSITION_CONTENT_TYPE } from "../../metrics/endpoint";
import { handle, type Handler } from "../responses/handler";
import { checkQuery } from "../inputs/checks";

/** `GET /metrics`: proclist's metrics in the Prometheus text format, behind the same guard as every route. */
export function metricsRoute(source: MetricsSource): Handler {
  return handle((req, res) => {
    checkQuery("noQuery", req.query);
    const body = source.body();
    res.writeHead(200, { "content-type": EXPOSITION_CONTENT_TYPE, "content-length": body.length, "cache-control": "no-store" });
    // On "finish" the socket has written the bytes out; until then (a slow scraper) the next scrape takes fresh memory.
    res.end(body, () => source.sent(body));
  });
}
