import { listen, type ServedApi } from "../http/serve";
import { createFleetApp, type FleetServeOptions } from "./app";

/**
 * Serves the API and the web page over a whole fleet: every instance's tasks, their histories and
 * kills routed through Redis, on 127.0.0.1:8081 by default (instances need no open port).
 * Rejects with a TypeError naming a wrong option, RedisUnavailableError when Redis does not
 * answer within `timeoutMs`, or the listen error. `close()` also closes the Redis connections.
 * @example const api = await serveFleet({ redis: process.env.REDIS_URL!, service: "orders", port: 8090 });
 */
export async function serveFleet(options: FleetServeOptions): Promise<ServedApi> {
  const { host = "127.0.0.1", port = 8081, ...appOptions } = options;
  if (typeof host !== "string" || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new TypeError(
      `invalid option "${typeof host !== "string" ? "host" : "port"}" ${JSON.stringify(typeof host !== "string" ? host : port)}`,
    );
  const app = createFleetApp(appOptions);
  try {
    await app.reader.connected();
    const served = await listen(app, host, port);
    return { ...served, close: () => served.close().then(() => app.close()) };
  } catch (error) {
    await app.close();
    throw error;
  }
}
