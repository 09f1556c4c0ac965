// A process of the soak's fleet leg (see bench/soak/fleet.ts), run with --expose-gc:
// `instance <name>`: a node:http app whose every request is tracked (trackRequests), joined to the
// fleet; each request carries a token (attribute tok) and sleeps ?ms= on its task's signal. A kill
// from the driver says "soak <token>" of the task it read from the list: a kill whose token is not
// the task's own is a wrong kill (another task than the one listed, or another incarnation's).
// `api`: serveFleet over the same Redis. Both report their figures when the driver asks over IPC.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { CancelError, ProcessManager, joinFleet, requestTask, serveFleet, trackRequests } from "../../lib";

const gc = (globalThis as { gc?: () => void }).gc!;
const MB = 1 << 20;
const [mode, name] = process.argv.slice(2);
const redis = process.env.SOAK_REDIS!;
const service = process.env.SOAK_SERVICE!;

/** What an instance says when asked. */
export interface InstanceFigures {
  heapMB: number;
  live: number;
  rightKills: number;
  wrongKills: number;
  lostName: number;
}

async function instance(): Promise<void> {
  const manager = new ProcessManager({ keepFinished: 100 });
  let rightKills = 0;
  let wrongKills = 0;
  let lostName = 0;
  const tokenOf = (url: string | undefined) => new URL(url ?? "/", "http://soak").searchParams.get("tok") ?? "";
  const server = createServer((req, res) => {
    const task = requestTask(req);
    const url = new URL(req.url ?? "/", "http://soak");
    void sleep(Number(url.searchParams.get("ms") ?? 50), undefined, { signal: task?.signal }).then(
      () => {
        if (!res.headersSent) res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      },
      () => {
        // Killed: the tracker answers it (503). A kill of the driver's names the token it listed.
        const reason = task?.signal.reason;
        if (reason instanceof CancelError && reason.reason?.startsWith("soak ") === true) {
          if (reason.reason === `soak ${tokenOf(req.url)}`) rightKills++;
          else wrongKills++;
        }
      },
    );
  });
  trackRequests(server, { manager, name: "request", attrs: (req) => ({ tok: tokenOf(req.url) }), timeoutMs: 15_000 });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // Restarted under its name, the process takes the name over from the dead one at once (its
  // record has up to ttlMs to live): a refused join ends the process, which fails the leg.
  await joinFleet({
    redis,
    service,
    instance: name,
    manager,
    ttlMs: 3000,
    heartbeatMs: 500,
    publishMs: 100,
    onError: () => lostName++,
  });
  process.on("message", () => {
    gc();
    gc();
    const figures: InstanceFigures = { heapMB: process.memoryUsage().heapUsed / MB, live: manager.size, rightKills, wrongKills, lostName };
    process.send!(figures);
  });
  process.send!({ port: (server.address() as AddressInfo).port });
}

async function api(): Promise<void> {
  const served = await serveFleet({ redis, service, port: 0, timeoutMs: 2000 });
  process.on("message", () => {
    gc();
    gc();
    process.send!({ heapMB: process.memoryUsage().heapUsed / MB });
  });
  process.send!({ url: served.url });
}

void (mode === "api" ? api() : instance());
