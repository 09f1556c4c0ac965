// `npm run soak` (10 minutes) or `-- --quick` (30 s, what spec/bench/soak.spec.ts runs): tracked
// traffic with random kills, client disconnects, throwing instrumentation, huge statuses and
// attributes, dropped generators, deep recursion and hostile /procs/ queries against a service in
// a child process. Prints, each minute (each 3 s in quick mode), the service's heap after GC, its
// live tasks, the 5xx answers so far and its event-loop p99; then a last row once the load
// stopped and the live tasks settled. Targets 127.0.0.1 only, bounded in concurrency and time.
// Then the fleet leg (bench/soak/fleet.ts: 5 minutes, 30 s in quick mode; `--fleet-seconds N` sets
// its length), alone with `--fleet-only`.
import { fork, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { runFleetLeg } from "./fleet";

interface Figures {
  heapMB: number;
  live: number;
  running: number;
  loopP99Ms: number;
  faults: number;
}

const quick = process.argv.includes("--quick");
const fleetOnly = process.argv.includes("--fleet-only");
const fleetSecondsAt = process.argv.indexOf("--fleet-seconds");
const FLEET_MS = fleetSecondsAt > 0 ? Number(process.argv[fleetSecondsAt + 1]) * 1000 : quick ? 30_000 : 300_000;
const FLEET_INTERVAL_MS = quick || FLEET_MS <= 60_000 ? 3_000 : 30_000;
const DURATION_MS = quick ? 30_000 : 600_000;
const INTERVAL_MS = quick ? 3_000 : 60_000;
const WORKERS = 12;

let requests = 0;
let serverErrors = 0;
const errorSamples = new Set<string>();
let seq = 0;

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

/** One request; a 5xx is counted (499 is the service's own answer to a killed call). */
async function hit(url: string, init: RequestInit & { abortAfterMs?: number } = {}): Promise<void> {
  const controller = new AbortController();
  const timer = init.abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), init.abortAfterMs);
  try {
    const res = await fetch(url, { ...init, signal: controller.signal });
    await res.arrayBuffer();
    requests++;
    if (res.status >= 500) {
      serverErrors++;
      if (errorSamples.size < 5) errorSamples.add(`${res.status} ${init.method ?? "GET"} ${url.slice(0, 80)}`);
    }
  } catch {
    requests++; // an abort (a disconnect) or a refused connection: not an answer
  } finally {
    clearTimeout(timer);
  }
}

/** Sends raw, malformed HTTP and reads whatever comes back. */
function rawHit(port: number, text: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(text));
    let head = "";
    socket.on("data", (chunk) => (head ||= chunk.toString("latin1", 0, 12)));
    socket.on("close", () => {
      requests++;
      if (/^HTTP\/1\.1 5/.test(head)) serverErrors++;
      resolve();
    });
    socket.on("error", () => resolve());
    socket.setTimeout(5000, () => socket.destroy());
  });
}

const HOSTILE_PATHS = [
  "/procs/?sort=-statusTime",
  "/procs/?attr.uri=%2Fwork&sort=procTime&limit=5",
  "/procs/?attr.rows=x&attr.body=y",
  "/procs/?sort=bogus",
  "/procs/?limit=99999999999",
  "/procs/%ZZ",
  "/procs/" + "x".repeat(300),
  "/procs/.%2E/history",
  "/procs/finished?outcome=killed&sort=-id",
  "/procs/finished?attr.proclist.error=x",
  "/procs/?" + "attr.a=1&".repeat(150),
  "/stats?name=Work.handle",
  "/nothing/here",
];

/** The traffic of one worker until `deadline`: a random mix of the service's routes and the API's. */
async function worker(ports: { app: number; api: number }, deadline: number): Promise<void> {
  const app = `http://127.0.0.1:${ports.app}`;
  const api = `http://127.0.0.1:${ports.api}`;
  while (Date.now() < deadline) {
    const roll = Math.random();
    const id = Math.random() < 0.05 ? "dup" : `w${++seq}`;
    if (roll < 0.35) await hit(`${app}/work?id=${id}&steps=${1 + Math.floor(Math.random() * 4)}&ms=${5 + Math.floor(Math.random() * 40)}`);
    else if (roll < 0.45)
      await hit(`${app}/work?id=${id}&steps=20&ms=50`, { abortAfterMs: 20 + Math.random() * 200 }); // the client goes away
    else if (roll < 0.5) await hit(`${app}/huge?seed=${seq}`);
    else if (roll < 0.58) await hit(`${app}/faulty?id=${pick(["", ".", "..", "dup", "x".repeat(300), id])}`);
    else if (roll < 0.64)
      await hit(`${app}/stream?count=30${Math.random() < 0.5 ? "&drop" : ""}`, { abortAfterMs: Math.random() < 0.3 ? 10 : undefined });
    else if (roll < 0.68) await hit(`${app}/deep?n=${50 + Math.floor(Math.random() * 300)}`);
    else if (roll < 0.7) await hit(`${app}/boom`);
    else if (roll < 0.9) await hit(`${api}${pick(HOSTILE_PATHS)}`);
    else if (roll < 0.95) await killSome(api);
    else
      await rawHit(
        ports.api,
        pick([
          "GET /procs/ HTTP/1.1\r\n\r\n",
          "GARBAGE\r\n\r\n",
          "GET /procs/ HTTP/1.1\r\nHost: x\r\nExpect: tea\r\n\r\n",
          "DELETE /procs/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{bad}",
        ]),
      );
  }
}

/** Kills a few random live tasks, with and without a message; some of them have ended meanwhile (404). */
async function killSome(api: string): Promise<void> {
  try {
    const res = await fetch(`${api}/procs/?limit=50`);
    const { procs } = (await res.json()) as { procs: { id: string }[] };
    requests++;
    for (let i = 0; i < 3 && procs.length > 0; i++) {
      const { id } = pick(procs);
      await hit(`${api}/procs/${encodeURIComponent(id)}`, {
        method: "DELETE",
        body: Math.random() < 0.5 ? JSON.stringify({ message: "soak kill ".repeat(50) }) : undefined,
      });
    }
  } catch {
    // the list failed: counted by hit() elsewhere; nothing to kill this round
  }
}

function ask(child: ChildProcess, what: "figures" | "settle"): Promise<Figures> {
  return new Promise((resolve) => {
    child.once("message", (message) => resolve(message as Figures));
    child.send({ ask: what });
  });
}

function row(cells: (string | number)[]): string {
  return `| ${cells.join(" | ")} |`;
}

async function main(): Promise<void> {
  const child = fork(join(__dirname, "service.js"), [], { execArgv: ["--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const ports = await new Promise<{ app: number; api: number }>((resolve) =>
    child.once("message", (m) => resolve(m as { app: number; api: number })),
  );
  const started = Date.now();
  const deadline = started + DURATION_MS;
  console.log(`$ npm run soak${quick ? " -- --quick" : ""}`);
  console.log(
    `Node ${process.version}; ${DURATION_MS / 1000} s of load from ${WORKERS} workers; a row every ${INTERVAL_MS / 1000} s, then one after the load stopped and the tasks settled`,
  );
  console.log("");
  console.log(row(["at (s)", "heap after GC (MB)", "live tasks", "stats.running", "5xx so far", "event-loop p99 (ms)", "requests so far"]));
  console.log(row(["---", "---", "---", "---", "---", "---", "---"]));
  const print = (label: string, f: Figures) =>
    console.log(row([label, f.heapMB.toFixed(1), f.live, f.running, serverErrors, f.loopP99Ms.toFixed(1), requests]));
  print("0", await ask(child, "figures"));
  const load = Promise.all(Array.from({ length: WORKERS }, () => worker(ports, deadline)));
  for (let at = INTERVAL_MS; at <= DURATION_MS; at += INTERVAL_MS) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + at - Date.now())));
    print(String(Math.round((Date.now() - started) / 1000)), await ask(child, "figures"));
  }
  await load;
  const settled = await ask(child, "settle");
  print("settled", settled);
  console.log("");
  console.log(
    `tracking faults reported through onError: ${settled.faults}${errorSamples.size > 0 ? `; 5xx samples: ${[...errorSamples].join("; ")}` : ""}`,
  );
  child.send({ ask: "stop" });
}

async function legs(): Promise<void> {
  if (!Number.isFinite(FLEET_MS) || FLEET_MS < 10_000) throw new Error("--fleet-seconds takes a number of seconds, at least 10");
  if (!fleetOnly) await main();
  else console.log(`$ npm run soak -- --fleet-only`);
  console.log("");
  await runFleetLeg(FLEET_MS, FLEET_INTERVAL_MS);
}

let done = false;
// Nothing left to wait for before the end (a promise no handle can settle): say so, not a silent exit 0.
process.on("beforeExit", () => {
  if (done) return;
  console.error("soak: stopped before its end with nothing left to wait for");
  process.exit(1);
});
legs()
  .then(() => (done = true))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
