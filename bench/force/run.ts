// How fast a forced kill takes away what a task holds, once its grace period is over (npm run build first):
//   node dist/bench/force/run.js [--rounds=200] [--grace=50]
// request: a tracked node:http request whose handler wrote a first line and then waits for ever
//   (it never looks at its signal); `kill(id, …, { force: true, graceMs })`, then the time from the
//   end of the grace period (the kill call + graceMs) to the client seeing its connection closed.
// worker: a tracked call running a CPU-bound loop in a piscina worker (runInPool); the time from
//   the end of the grace period to the worker's `exit` event.
// Both measured in this one process, with real sockets and a real worker thread. A late grace timer
// (a busy event loop) counts against the figure, as it would for the operator.
import "reflect-metadata";
import { get, createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { Piscina } from "piscina";
import { ProcessManager, runInPool, trackRequests, Tracked } from "../../lib";

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const rounds = Number(arg("rounds", "200"));
const graceMs = Number(arg("grace", "50"));
const SPIN = join(__dirname, "..", "..", "spec", "workers", "fixtures", "spin-worker.js");

/** p-th percentile (0–100) of xs, nearest rank. */
function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function requests(): Promise<number[]> {
  const pm = new ProcessManager();
  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("first line\n");
    // Never ends, never reads its signal: what force is for.
  });
  trackRequests(server, { manager: pm, idHeader: "x-request-id" });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const id = `r${i}`;
    // Resolves with an object, not the promise itself: a promise resolved with a promise waits for it.
    const { closed } = await new Promise<{ closed: Promise<number> }>((ready, fail) => {
      const req = get({ host: "127.0.0.1", port, path: "/", headers: { "x-request-id": id }, agent: false }, (res) => {
        const closed = new Promise<number>((done) => res.once("close", () => done(performance.now())));
        res.once("data", () => ready({ closed }));
        res.on("error", () => undefined);
        res.resume();
      });
      req.on("error", fail);
    });
    const killedAt = performance.now();
    const result = await pm.kill(id, "bench", { force: true, graceMs });
    const closedAt = await closed;
    if (!result.rungs.includes("request")) throw new Error(`request ${id}: no request rung (${JSON.stringify(result)})`);
    times.push(closedAt - (killedAt + graceMs));
  }
  await new Promise((resolve) => server.close(resolve));
  return times;
}

class Work {
  readonly started = new Int32Array(new SharedArrayBuffer(4));
  constructor(
    readonly pm: ProcessManager,
    readonly pool: Piscina,
  ) {}

  @Tracked({ id: (id: string) => id })
  async spin(_id: string): Promise<unknown> {
    return runInPool(this.pool, { spin: true, started: this.started });
  }
}

async function workers(): Promise<number[]> {
  const pm = new ProcessManager();
  const pool = new Piscina({ filename: SPIN, minThreads: 1, maxThreads: 1 });
  const work = new Work(pm, pool);
  const times: number[] = [];
  const count = Math.max(10, Math.round(rounds / 4));
  for (let i = 0; i < count; i++) {
    Atomics.store(work.started, 0, 0);
    const id = `w${i}`;
    work.spin(id).catch(() => undefined);
    while (Atomics.load(work.started, 0) !== 1) await new Promise((resolve) => setTimeout(resolve, 1));
    const worker = (pool.threads as Worker[])[0]!;
    const gone = new Promise<number>((resolve) => worker.once("exit", () => resolve(performance.now())));
    const killedAt = performance.now();
    const result = await pm.kill(id, "bench", { force: true, graceMs });
    if (!result.rungs.includes("worker")) throw new Error(`worker ${id}: no worker rung (${JSON.stringify(result)})`);
    times.push((await gone) - (killedAt + graceMs));
  }
  await pool.destroy();
  return times;
}

async function main(): Promise<void> {
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(" ");
  console.log(`# Forced kills: from the end of the grace period to what the task held being gone`);
  console.log(
    `\nNode ${process.version}, ${cpus().length} CPUs, ${new Date().toISOString()}, graceMs ${graceMs}, load average ${load()} at the start`,
  );
  const req = await requests();
  const wrk = await workers();
  console.log("\n| rung | kills | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|");
  for (const [name, xs] of [
    ["request: client sees its connection closed", req],
    ["worker: the worker thread has exited", wrk],
  ] as const) {
    console.log(
      `| ${name} | ${xs.length} | ${percentile(xs, 50).toFixed(2)} | ${percentile(xs, 99).toFixed(2)} | ${Math.max(...xs).toFixed(2)} |`,
    );
  }
  console.log(`\nload average ${load()} at the end`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
