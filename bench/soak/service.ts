// The soak's service, run as a child with --expose-gc: a tracked app on one port, the proclist API
// on another. It reports its figures when the driver asks over IPC (see bench/soak/run.ts).
import "reflect-metadata";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Attr, ProcessManager, Status, TaskId, Tracked, currentTask, serve } from "../../lib";

const gc = (globalThis as { gc?: () => void }).gc!;
const manager = new ProcessManager({ keepFinished: 200, onError: () => faults++ });
let faults = 0;
const MB = 1 << 20;

/** Fresh, flat on-heap text of `bytes` characters, so that a cut that shared it would show in the heap. */
function bulk(bytes: number, seed: number): string {
  return JSON.parse(JSON.stringify(`${seed}:` + "z".repeat(bytes)));
}

class Work {
  constructor(readonly pm: ProcessManager) {}

  /** A request handler's call tree: phases, an abortable wait per phase, nested tracked calls. */
  @Tracked()
  async handle(@TaskId() requestId: string | undefined, @Attr("uri") uri: string, steps: number, ms: number): Promise<string> {
    for (let i = 0; i < steps; i++) {
      this.phase(i);
      await sleep(ms, undefined, { signal: currentTask()!.signal });
      await this.child(i);
    }
    return "done";
  }

  @Status((i: number) => `phase ${i}`)
  phase(i: number): number {
    return i;
  }

  @Tracked()
  async child(@Attr("step") step: number): Promise<void> {
    await sleep(1, undefined, { signal: currentTask()!.signal });
  }

  /** Huge statuses and attributes, cut by the bounds. */
  @Tracked()
  huge(seed: number): number {
    const task = currentTask()!;
    task.status(bulk(MB, seed));
    task.setAttribute("body", bulk(2 * MB, seed));
    task.setAttribute(
      "rows",
      Array.from({ length: 20_000 }, (_, i) => ({ i, name: `row ${i}` })),
    );
    return seed;
  }

  /** Instrumentation that throws: a mapper, a text function, a getter of the attrs record, a taken or unusable id. */
  @Tracked({
    attrs: () => ({
      get broken(): never {
        throw new Error("getter");
      },
    }),
  })
  faulty(@TaskId() id: unknown, @Attr("user", (u: { login: string }) => u.login) user: unknown): string {
    this.badPhase();
    return "ran";
  }

  @Status(() => {
    throw new Error("no text");
  })
  badPhase(): void {}

  /** An async generator the consumer may drop without return(). */
  @Tracked()
  async *rows(count: number): AsyncGenerator<string> {
    for (let i = 0; i < count; i++) {
      await sleep(1);
      yield `row ${i}\n`;
    }
  }

  /** Tracked recursion. */
  @Tracked()
  deep(n: number): number {
    return n === 0 ? 0 : 1 + this.deep(n - 1);
  }

  @Tracked()
  async boom(): Promise<never> {
    await sleep(1);
    throw new Error("boom");
  }
}

const work = new Work(manager);
let held = 0; // a dropped generator's first read, so it is not optimized away

async function app(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://soak");
  const n = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
  // A client that goes away kills its task, as request tracking does.
  let id: string | undefined;
  res.on("close", () => {
    if (!res.writableFinished && id !== undefined && manager.get(id)?.running) manager.kill(id, "client went away");
  });
  try {
    switch (url.pathname) {
      case "/work": {
        id = url.searchParams.get("id") ?? undefined;
        return send(res, 200, await work.handle(id, req.url ?? "", n("steps", 3), n("ms", 20)));
      }
      case "/huge":
        return send(res, 200, String(work.huge(n("seed", 0))));
      case "/faulty":
        return send(res, 200, work.faulty(url.searchParams.get("id") ?? "", null));
      case "/stream": {
        const rows = work.rows(n("count", 50));
        if (url.searchParams.has("drop")) {
          held += (await rows.next()).done ? 0 : 1; // read once, then drop without return()
          return send(res, 200, "dropped");
        }
        res.writeHead(200, { "content-type": "text/plain" });
        for await (const row of rows) {
          if (res.destroyed) break;
          res.write(row);
        }
        return void res.end();
      }
      case "/deep":
        return send(res, 200, String(work.deep(n("n", 200))));
      case "/boom":
        return send(res, 200, await work.boom());
      default:
        return send(res, 404, "no such route");
    }
  } catch (error) {
    // The app's own failures are 4xx here, so that a 5xx means something broke for real.
    const name = (error as Error).name;
    send(res, name === "CancelError" ? 499 : (error as Error).message === "boom" ? 422 : 500, String((error as Error).message));
  }
}

function send(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(text);
}

async function main(): Promise<void> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const api = await serve({ port: 0, manager });
  const server = createServer((req, res) => void app(req, res));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.on("message", async (message: { ask: "figures" | "settle" | "stop" }) => {
    if (message.ask === "stop") {
      server.close();
      await api.close();
      process.exit(0);
    }
    if (message.ask === "settle") {
      // Load stopped: collect until the dropped generators' tasks ended (or 30 s passed).
      for (let i = 0; i < 300 && manager.size !== 0; i++) {
        gc();
        await sleep(100);
      }
    }
    const p99 = delay.percentile(99) / 1e6; // before the collections below, which block the loop
    gc();
    gc();
    delay.reset();
    const running = manager.stats.snapshot().reduce((sum, s) => sum + s.running, 0);
    process.send!({ heapMB: process.memoryUsage().heapUsed / MB, live: manager.size, running, loopP99Ms: p99, faults, held });
  });
  process.send!({ app: (server.address() as AddressInfo).port, api: api.port });
}

void main();
