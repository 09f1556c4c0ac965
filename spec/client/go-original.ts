import { fakeServer, goError, type FakeServer } from "./fake-server";

// Answers exactly as VividCortex/pm's http.go does: Go's time.Time JSON (RFC 3339, nanoseconds,
// the server's local offset, trailing zeros trimmed), `attrs` and `cancelling` omitted when empty,
// http.Error plain-text errors, an empty 200 for a kill, and no route but /procs/.
export const LIST = `{"procs":[{"id":"req1","attrs":{"host":"10.0.0.7:5123","method":"GET","uri":"/hosts/1"},"procTime":"2026-11-24T10:00:00.123456789+01:00","statusTime":"2026-11-24T10:00:00.2000015+01:00","status":"reading","cancelling":true},{"id":"job2","procTime":"2026-11-24T01:00:01-08:00","statusTime":"2026-11-24T01:00:01.5-08:00","status":"init"}],"serverTime":"2026-11-24T10:00:02.75+01:00"}`;
// Later versions of the original send attributes as a list of name/value pairs.
export const LIST_PAIRS = `{"procs":[{"id":"req1","attrs":[{"name":"host","value":"10.0.0.7"},{"name":"n","value":3}],"procTime":"2026-11-24T09:00:00Z","statusTime":"2026-11-24T09:00:00Z","status":"init"}],"serverTime":"2026-11-24T09:00:00Z"}`;
export const HISTORY = `{"history":[{"ts":"2026-11-24T10:00:00.123456789+01:00","status":"init"},{"ts":"2026-11-24T10:00:00.2000015+01:00","status":"reading"}],"serverTime":"2026-11-24T10:00:02.75+01:00"}`;

export function goOriginal(list = LIST): Promise<FakeServer> {
  return fakeServer((req, res) => {
    const path = req.url.split("?")[0];
    if (path === "/procs/")
      return req.method === "GET"
        ? (res.writeHead(200, { "content-type": "application/json" }), res.end(list))
        : goError(res, 405, "Method Not Allowed");
    const match = /^\/procs\/([^/]+)(\/.*)?$/.exec(path);
    if (match === null) return goError(res, 404, "404 page not found");
    const [, id, rest = ""] = match;
    if (rest === "/history" && req.method === "GET") {
      if (id === "req1") return (res.writeHead(200, { "content-type": "application/json" }), res.end(HISTORY));
      // The original writes the error text, then a JSON body after it.
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      return res.end(`Not Found\n{"history":[],"serverTime":"2026-11-24T10:00:02.75+01:00"}`);
    }
    if ((rest === "" || rest === "/") && req.method === "DELETE") {
      if (id === "req1") return res.writeHead(200).end();
      return id === "locked" ? goError(res, 403, "Forbidden") : goError(res, 404, "Not Found");
    }
    return goError(res, rest === "" || rest === "/" || rest === "/history" ? 405 : 404, rest === "" ? "Method Not Allowed" : "Not Found");
  });
}
