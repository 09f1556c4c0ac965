import type { Server } from "node:http";
import { createApiServer } from "./server/api-server";
import { createApp, type ProclistApp } from "./app";
import { baseUrl } from "./server/base-url";
import { checkServeOptions, type ServeOptions } from "./options";

/** A running API server, as `serve()` resolves it. */
export interface ServedApi {
  /** e.g. "http://127.0.0.1:8081" (IPv6 hosts in brackets; for host 0.0.0.0 or ::, the loopback address). */
  readonly url: string;
  /** The port listened on: the one picked when `port` was 0. */
  readonly port: number;
  readonly server: Server;
  /** Ends event streams, stops accepting, waits for requests under way; resolves once closed. */
  close(): Promise<void>;
}

/** How long `close()` lets requests under way finish before cutting their connections. */
const CLOSE_GRACE_MS = 2_000;

/**
 * Serves the API: by default on 127.0.0.1:8081 (loopback only), for the container's
 * `ProcessManager` unless `manager` is given. `port: 0` picks a free port (tests).
 * Rejects with a TypeError naming a wrong option, or with the listen error (port in use…).
 * @example const api = await serve({ port: 0 }); console.log(api.url); await api.close();
 */
export async function serve(options: ServeOptions = {}): Promise<ServedApi> {
  checkServeOptions(options);
  const { host = "127.0.0.1", port = 8081, ...appOptions } = options;
  return listen(createApp(appOptions), host, port);
}

/** Serves an app (the API of one manager, or of a fleet) on `host:port`; see `serve()`. */
export async function listen(app: Pick<ProclistApp, "handler" | "closeStreams">, host: string, port: number): Promise<ServedApi> {
  const server = createApiServer(app.handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(new Error(`proclist cannot listen on ${host}:${port}: ${error.message}`, { cause: error })),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address !== null ? address.port : port;
  let closing: Promise<void> | undefined;
  return {
    url: baseUrl(host, actualPort),
    port: actualPort,
    server,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        app.closeStreams();
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      })),
  };
}
