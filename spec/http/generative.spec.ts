import { expect } from "chai";
import { Agent, request } from "node:http";
import { ProcessManager, type ServeOptions, type ServedApi } from "../../lib";
import { generator } from "../helpers";
import { startApi } from "./http-helpers";

type Gen = ReturnType<typeof generator>;

const IDS = ["plain", "a/b", "x y", "ü-é", "%41", "forbidden", "events", "...", "q?x=1#f"];
const METHODS = ["GET", "GET", "GET", "DELETE", "DELETE", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "PROPFIND", "FOO", "get"];

function randomText(g: Gen, max: number): string {
  const alphabet = ["a", "Z", "0", "/", "%", "?", "&", "=", ".", "-", "_", "~", "é", "☃", "\u0000", "\n", " ", "+", "#", "😀", "\ud800"];
  let out = "";
  for (let i = g.int(max); i > 0; i--) out += g.pick(alphabet);
  return out;
}

/** Percent-encodes a text in one of several ways, some of them malformed. */
function encode(g: Gen, text: string): string {
  switch (g.int(6)) {
    case 0:
      return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, "x"));
    case 1:
      return Array.from(
        Buffer.from(text, "utf8"),
        (b) =>
          "%" +
          b
            .toString(16)
            .padStart(2, g.chance(0.5) ? "0" : "0")
            .toUpperCase(),
      ).join("");
    case 2:
      return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, "x")).replace(/%/g, () => g.pick(["%", "%", "%z", "%%", "%E0%A4"]));
    case 3:
      return text.replace(/[^\x21-\x7e]/g, "").replace(/[?#]/g, "");
    case 4:
      return g.pick(["%", "%2", "%zz", "%C3", "%C3%28", "%ED%A0%80", "%FF%FE", "%00", "%2F%2E%2E"]);
    default:
      return encodeURIComponent(randomText(g, 300).replace(/[\ud800-\udfff]/g, "x"));
  }
}

function randomPath(g: Gen, method: string): string {
  const id = () => (g.chance(0.6) ? encodeURIComponent(g.pick(IDS)) : encode(g, g.chance(0.5) ? g.pick(IDS) : randomText(g, 20)));
  // Kills aim at tasks most of the time, so some succeed between the refusals.
  let path =
    method === "DELETE" && g.chance(0.6)
      ? `/procs/${id()}`
      : g.pick([
          () => "/procs/",
          () => "/procs",
          () => `/procs/${id()}`,
          () => `/procs/${id()}/history`,
          () => `/procs/${id()}/${encode(g, randomText(g, 8))}`,
          () => "/procs/finished",
          () => "/procs/events",
          () => "/stats",
          () => "/" + encode(g, randomText(g, 30)),
          () => "//procs//",
          () => "/procs/" + "x".repeat(g.int(2000)),
        ])();
  if (g.chance(0.35)) {
    const params: string[] = [];
    for (let i = g.int(4); i >= 0; i--) {
      const key = g.pick(["name", "status", "sort", "limit", "attr.user", "attr.", "outcome", "id", "since", encode(g, randomText(g, 6))]);
      const value = g.pick(["", "plain", "-procTime", "id", "10", "-1", "99999999999", "GET%20%2Fx", encode(g, randomText(g, 10))]);
      params.push(g.chance(0.9) ? `${key}=${value}` : key);
    }
    path += "?" + params.join("&");
  }
  return path;
}

function randomHeaders(g: Gen, token: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (g.chance(0.5))
    headers["content-type"] = g.pick([
      "application/json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]);
  if (token !== undefined && g.chance(0.7)) headers.authorization = `Bearer ${token}`;
  else if (g.chance(0.3))
    headers.authorization = g.pick([
      "Bearer",
      "Bearer wrong",
      "Basic abc",
      "bearer  tok-1 ",
      "Bearer tok-1x",
      "Bearer " + "t".repeat(5000),
    ]);
  if (g.chance(0.3)) headers.origin = g.pick(["http://localhost:5173", "http://evil.example", "null"]);
  if (g.chance(0.2)) headers["access-control-request-method"] = g.pick(["DELETE", "GET", "PUT"]);
  if (g.chance(0.1)) headers.accept = "text/event-stream";
  if (g.chance(0.1)) headers.host = g.pick(["evil.example:8081", "localhost", "[::1]:1", "127.0.0.1:9", "x:y:z", "[", ""]);
  if (g.chance(0.1)) headers["x-" + g.int(100)] = "v".repeat(g.int(200));
  return headers;
}

function randomBody(g: Gen): Buffer | undefined {
  if (g.chance(0.4)) return undefined;
  const text = g.pick([
    () => JSON.stringify({ message: randomText(g, 50) }),
    () => '{"message":',
    () => "[1,2]",
    () => "null",
    () => '{"message":' + g.int(10) + "}",
    () => JSON.stringify({ message: "x", extra: true }),
    () => "x".repeat(16 * 1024 + 1 + g.int(40_000)),
    () => " ".repeat(g.int(100)),
    () => randomText(g, 100),
    () => JSON.stringify({ message: "m".repeat(g.int(3000)) }),
  ])();
  const body = Buffer.from(text, "utf8");
  if (g.chance(0.1)) body[g.int(body.length || 1)] = 0xff;
  return body;
}

interface Outcome {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Sends one request; an event stream is read to its headers, then dropped. */
function fire(
  api: ServedApi,
  agent: Agent,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  chunked: boolean,
): Promise<Outcome> {
  const url = new URL(api.url);
  if (body !== undefined && !chunked) headers["content-length"] = String(body.length);
  if (body !== undefined && chunked) headers["transfer-encoding"] = "chunked";
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers, agent }, (res) => {
      const contentType = res.headers["content-type"];
      if (contentType?.startsWith("text/event-stream")) {
        resolve({ status: res.statusCode!, contentType, body: "" });
        req.destroy();
        return;
      }
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, contentType, body: text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** What a request may change: every live task's rev and cancel state, and the finished tasks. */
function snapshot(pm: ProcessManager): string {
  return JSON.stringify([pm.rev, pm.size, Array.from(pm.tasks(), (t) => [t.id, t.rev, t.cancelling]), pm.finishedTasks().length]);
}

function replenish(pm: ProcessManager): void {
  for (const task of Array.from(pm.tasks())) if (task.cancelling) pm.done(task.id, task.cancel);
  for (const id of IDS) {
    if (pm.get(id)?.running) continue;
    const task = pm.start(id, { name: id === "plain" ? "GET /x" : "job", attrs: { user: "ann", n: 1 }, forbidCancel: id === "forbidden" });
    task.status("waiting");
  }
}

describe("HTTP API under random requests", function () {
  this.timeout(120_000);
  const SEED = Number(process.env.PROCLIST_SEED ?? 20261124);
  const REQUESTS = 500;
  const configurations: [string, ServeOptions][] = [
    ["an open server", {}],
    ["a server with tokens, CORS and a remote peer", { token: { ops: "tok-1" }, cors: ["http://localhost:5173"], peer: () => "10.9.8.7" }],
  ];
  let api: ServedApi & { manager: ProcessManager };
  let agent: Agent;
  const crashes: unknown[] = [];
  const onCrash = (error: unknown) => crashes.push(error);
  beforeEach(() => {
    agent = new Agent({ keepAlive: true, maxSockets: 4 });
    process.on("unhandledRejection", onCrash);
    process.on("warning", onCrash);
  });
  afterEach(async () => {
    process.off("unhandledRejection", onCrash);
    process.off("warning", onCrash);
    agent.destroy();
    await api.close();
  });

  for (const [what, options] of configurations) {
    it(`never answers 5xx to ${what}, answers errors in JSON, and refused requests change nothing (seed ${SEED})`, async () => {
      const g = generator(SEED + what.length);
      api = await startApi({ ...options, manager: new ProcessManager() });
      const pm = api.manager;
      const token = options.token === undefined ? undefined : "tok-1";
      for (let n = 0; n < REQUESTS; n++) {
        replenish(pm);
        const method = g.pick(METHODS);
        const path = randomPath(g, method);
        const headers = randomHeaders(g, token);
        const body =
          method === "GET" && g.chance(0.7)
            ? undefined
            : method === "DELETE" && g.chance(0.3)
              ? Buffer.from('{"message":"generated"}')
              : randomBody(g);
        const before = snapshot(pm);
        const context = `request ${n} (seed ${SEED}): ${method} ${path.slice(0, 200)} ${JSON.stringify(headers).slice(0, 200)} body ${body?.length ?? "none"}`;
        let outcome: Outcome;
        try {
          outcome = await fire(api, agent, method, path, headers, body, g.chance(0.2));
        } catch (error) {
          // Node's client refuses some generated requests itself (e.g. an invalid header); nothing was sent.
          if ((error as NodeJS.ErrnoException).code?.startsWith("ERR_") && snapshot(pm) === before) continue;
          // The server may close a connection after a 413 or a malformed request while the body is still going out.
          if (["ECONNRESET", "EPIPE"].includes((error as NodeJS.ErrnoException).code ?? "") && snapshot(pm) === before) continue;
          throw new Error(`${context}: ${(error as Error).message}`);
        }
        expect(outcome.status, context).to.be.below(500);
        if (outcome.status >= 400) {
          expect(snapshot(pm), `${context}: a refused request changed state`).to.equal(before);
          if (method !== "HEAD") {
            expect(outcome.contentType, context).to.match(/^application\/json(;|$)/);
            const json = JSON.parse(outcome.body);
            expect(Object.keys(json), context).to.deep.equal(["error"]);
            expect(json.error, context).to.be.a("string").and.not.equal("");
          }
        }
      }
      expect(crashes).to.deep.equal([]);
      const after = await fire(
        api,
        agent,
        "GET",
        "/procs/",
        token === undefined ? {} : { authorization: `Bearer ${token}` },
        undefined,
        false,
      );
      expect(after.status).to.equal(200);
    });
  }
});
