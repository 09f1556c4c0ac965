import "reflect-metadata";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import polka from "polka";
import { ProcessManager, requestTracker } from "../../lib";
import type { CaseOptions, Figures } from "../cases/case";

/**
 * A tracked service whose every request makes one `fetch` to a local upstream, the shape of most
 * API servers: each request a task (`requestTracker`), its fetch a wait of that task. Variant
 * `on@<port>` or `off@<port>`: the manager's `waits` option and the upstream's port.
 */
export async function start(options: CaseOptions): Promise<Figures> {
  const [mode, port] = String(options.variant).split("@");
  const manager = new ProcessManager({ waits: mode === "on" });
  const upstream = `http://127.0.0.1:${port}/charge?token=abc`;
  const app = polka();
  app.use(requestTracker({ manager }));
  app.get("/checkout", async (_req: IncomingMessage, res: ServerResponse) => {
    const answer = await fetch(upstream);
    const body = await answer.text();
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
  });
  const server = app.listen(0, "127.0.0.1").server!;
  await new Promise((resolve) => server.once("listening", resolve));
  return { port: (server.address() as AddressInfo).port };
}
