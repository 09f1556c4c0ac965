import { connect } from "node:net";
import { request, type IncomingHttpHeaders } from "node:http";
import { ProcessManager, serve, type ServeOptions, type ServedApi } from "../../lib";
import { releaseAll } from "../helpers";

/** An answer read whole: status, headers, text, and the JSON when the text parses. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
}

export interface CallOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** One HTTP request, the path sent exactly as given (no normalization, no encoding). */
export function call(api: { url: string }, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const url = new URL(api.url);
  const headers = { ...options.headers };
  // Node sends a DELETE body with neither length nor chunking unless told.
  if (options.body !== undefined && headers["transfer-encoding"] === undefined)
    headers["content-length"] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, json });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The server `startApi` started last: the one `apiPerSpec` closes. */
let lastStarted: ServedApi | undefined;

/** A server on a free loopback port for a fresh manager (or the one given). */
export async function startApi(options: ServeOptions = {}): Promise<ServedApi & { manager: ProcessManager }> {
  const manager = options.manager ?? new ProcessManager();
  const api = await serve({ port: 0, ...options, manager });
  lastStarted = api;
  return Object.assign(api, { manager });
}

/**
 * A served API for each spec of the calling `describe`, on its own manager: `use` is given it
 * before each spec. After each, blocked tasks are released and the server `startApi` started last
 * is closed: this one, or the one a spec started in its place after closing it.
 */
export function apiPerSpec(use: (api: ServedApi & { manager: ProcessManager }) => void, options: ServeOptions = {}): void {
  beforeEach(async () => use(await startApi(options)));
  afterEach(async () => {
    releaseAll();
    const api = lastStarted;
    lastStarted = undefined;
    await api?.close();
  });
}

/**
 * One request on each route of the API (`t`: the id of a task the spec started), and one on a path
 * no route has: what a check in front of every route (the token, protected mode) is tried on.
 */
export const EVERY_ROUTE: readonly (readonly [method: string, path: string])[] = [
  ["GET", "/procs/"],
  ["HEAD", "/procs/"],
  ["GET", "/procs/?name=x"],
  ["GET", "/procs/t"],
  ["GET", "/procs/t/history"],
  ["GET", "/procs/finished"],
  ["GET", "/procs/events"],
  ["GET", "/procs/profile"],
  ["GET", "/stats"],
  ["GET", "/whoami"],
  ["GET", "/audit"],
  ["DELETE", "/procs/t"],
  ["DELETE", "/procs/?name=x"],
  ["OPTIONS", "/procs/"],
  ["GET", "/no-such-route"],
];

/**
 * Sends raw bytes on a fresh connection and resolves with all the server answered. By default it
 * reads until the server ends the connection; with `endFirst` the client ends its side after
 * sending, as a client that is done does, and it reads until the connection closed.
 */
export function rawAnswer(port: number, text: string, options: { endFirst?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => (options.endFirst ? socket.end(text) : socket.write(text)));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on(options.endFirst ? "close" : "end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.on("error", reject);
  });
}
