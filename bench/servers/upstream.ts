import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { CaseOptions, Figures } from "../cases/case";

/**
 * A local upstream for the waits benchmarks: answers every request at once (variant "hold":
 * never, so a caller's fetch hangs). Plain node:http, no proclist.
 */
export async function start(options: CaseOptions): Promise<Figures> {
  const hold = options.variant === "hold";
  const server = createServer((req, res) => {
    if (hold) return;
    req.resume();
    res.writeHead(200, { "content-type": "application/json", "content-length": 11 }).end('{"ok":true}');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port };
}
