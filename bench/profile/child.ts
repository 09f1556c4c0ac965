// One process under measurement for bench/profile/run: what it does is chosen by argv[2].
//   split <seconds>   two tasks doing 3 and 7 units of work per turn; prints the profile's shares
//   serve [nowatch]   an HTTP service (every request a tracked task doing a little work) on a free
//                     port, and proclist's API on another; prints both ports. nowatch: the
//                     event-loop watch's timer stopped.
//   block             a tracked call that holds the loop 2 s; prints when it ended and when the
//                     blame was on its history
import http from "node:http";
import { ProcessManager, profileCpu, requestTracker, serve, Tracked } from "../../lib";
import { loopWatch } from "../../lib/core/loop-watch";
// The same burners as the profile specs', so the bench measures what they check.
import { burners, hold, work } from "../../spec/profile/burners";

async function split(seconds: number): Promise<void> {
  const manager = new ProcessManager();
  const stop = burners(manager, { thirty: 3, seventy: 7 });
  // The loop's lateness around the profile's start and stop: the stall they cause.
  let last = performance.now();
  const lags: [number, number][] = [];
  const timer = setInterval(() => {
    const now = performance.now();
    lags.push([now, now - last - 1]);
    last = now;
  }, 1);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const t0 = performance.now();
  const result = await profileCpu(seconds);
  const t1 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 300));
  clearInterval(timer);
  await stop();
  const share = (name: string) => result.table.names.find((row) => row.name === name)?.share ?? 0;
  // Burners hold the loop ~10 ms per turn anyway: the stall is the lateness above that, near start and stop.
  const near = (at: number) => Math.max(0, ...lags.filter(([t]) => t >= at && t <= at + 200).map(([, lag]) => lag));
  const baseline = Math.max(0, ...lags.filter(([t]) => t > t0 + 1000 && t < t1 - 1000).map(([, lag]) => lag));
  console.log(
    JSON.stringify({
      thirty: share("thirty"),
      seventy: share("seventy"),
      outside: result.table.outside.share,
      samples: result.table.samples,
      startLagMs: near(t0),
      stopLagMs: near(t1 - 50),
      steadyMaxLagMs: baseline,
    }),
  );
}

class Service {
  constructor(readonly pm: ProcessManager) {}
  @Tracked({ name: "Service.handle" })
  handle(n: number): number {
    return work(n);
  }
}

async function serveMode(noWatch: boolean): Promise<void> {
  const manager = new ProcessManager();
  if (noWatch) clearInterval((loopWatch as unknown as { timer: NodeJS.Timeout }).timer);
  const service = new Service(manager);
  const track = requestTracker({ manager });
  const server = http.createServer((req, res) => track(req as never, res as never, () => res.end(String(service.handle(0.05)))));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const api = await serve({ port: 0, manager });
  console.log(JSON.stringify({ port: (server.address() as { port: number }).port, api: api.port }));
}

class Blocker {
  constructor(readonly pm: ProcessManager) {}
  @Tracked({ name: "Blocker.hold", id: () => "blocker" })
  hold(ms: number): void {
    hold(ms);
  }
}

async function block(): Promise<void> {
  const manager = new ProcessManager();
  const blocker = new Blocker(manager);
  await new Promise((resolve) => setTimeout(resolve, 200));
  let ended = 0;
  const found = new Promise<number>((resolve) => {
    const poll = setInterval(() => {
      if (manager.history("blocker").some((entry) => entry.status.startsWith("blocked the event loop"))) {
        clearInterval(poll);
        resolve(performance.now());
      }
    }, 5);
  });
  blocker.hold(2000);
  ended = performance.now();
  console.log(JSON.stringify({ namedAfterMs: (await found) - ended }));
}

const mode = process.argv[2];
if (mode === "split") void split(Number(process.argv[3] ?? 10));
else if (mode === "serve") {
  // nohooks: profiles without the log's async hooks (samples then go to tasks only through tracked calls' enter/leave), to tell the two costs apart.
  if (process.argv[3] === "nohooks")
    (require("node:async_hooks") as { createHook: unknown }).createHook = () => ({ enable() {}, disable() {} });
  void serveMode(process.argv[3] === "nowatch");
} else if (mode === "block") void block();
