// The soak's fleet leg: three instances (a, b, c; bench/soak/fleet-child.ts) and serveFleet over one
// redis-server of our own, under tracked traffic with client disconnects and pipelined requests on
// connections that close, fleet reads and kills taken from the fleet's list (each naming the task's
// boot and its token, so a kill that reaches another task is counted as wrong). During the run Redis
// is frozen for 3 s, then restarted empty, then b is SIGKILLed and started again under its name.
// Prints a row of figures every interval and one once the load stopped and the tasks settled; then
// when each disruption happened. Targets 127.0.0.1 only, bounded in concurrency and time.
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { join } from "node:path";
import { RedisServer } from "../../samples/redis-server";
import type { InstanceFigures } from "./fleet-child";

const NAMES = ["a", "b", "c"] as const;
const WORKERS = 8;

/** Answers of the fleet API and the instances' apps, by kind. */
const counts = { requests: 0, gone410: 0, gone502: 0, unavailable: 0, other5xx: 0, appKilled: 0 };
const samples = new Set<string>();

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

/** One child process of the leg, with the last of its stderr (shown if it fails). */
class Child {
  readonly process: ChildProcess;
  private stderr = "";
  readonly started: Promise<Record<string, unknown>>;

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.process = fork(join(__dirname, "fleet-child.js"), args, {
      execArgv: ["--expose-gc"],
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    this.process.stderr!.on("data", (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-2000)));
    this.started = new Promise((resolve, reject) => {
      this.process.once("message", (m) => resolve(m as Record<string, unknown>));
      this.process.once("exit", (code) => reject(new Error(`${args.join(" ")} exited (${code}): ${this.stderr}`)));
    });
    this.started.catch(() => undefined);
    // A process of the leg that ends by itself is a failure of the leg: said at once, with its stderr.
    this.process.once("exit", (code, signal) => {
      if (!this.killed) {
        console.error(`soak fleet leg: ${args.join(" ")} ended by itself (${code ?? signal}): ${this.stderr}`);
        process.exitCode = 1;
      }
    });
  }

  private killed = false;

  /** The child's figures (asked once it has started, so its start message is not taken for them). */
  async ask<T>(): Promise<T> {
    await this.started;
    return new Promise((resolve) => {
      this.process.once("message", (m) => resolve(m as T));
      this.process.send({});
    });
  }

  kill(): Promise<void> {
    this.killed = true;
    if (this.process.exitCode !== null || this.process.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.process.once("exit", () => resolve());
      this.process.kill("SIGKILL");
    });
  }
}

/** A fleet API answer counted by kind: 410 (restarted since), 502 (gone), 503/504 (documented), any other 5xx. */
function countFleet(status: number, what: string): void {
  counts.requests++;
  if (status === 410) counts.gone410++;
  else if (status === 502) counts.gone502++;
  else if (status === 503 || status === 504) counts.unavailable++;
  else if (status >= 500) {
    counts.other5xx++;
    if (samples.size < 5) samples.add(`${status} ${what}`);
  }
}

async function fleetCall(url: string, init: RequestInit = {}): Promise<Response | undefined> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    countFleet(res.status, `${init.method ?? "GET"} ${url.replace(/^http:\/\/[^/]+/, "").slice(0, 60)}`);
    return res;
  } catch {
    counts.requests++; // no answer within 10 s: the fleet's own bound is 2 s, so this would show as a stall in the rows
    return undefined;
  }
}

/** One app request: a 503 is the tracker's answer to a killed request; any other 5xx is counted. */
async function appCall(port: number, abortAfterMs?: number): Promise<void> {
  const controller = new AbortController();
  const timer = abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), abortAfterMs);
  try {
    const res = await fetch(
      `http://127.0.0.1:${port}/work?tok=${randomBytes(6).toString("hex")}&ms=${20 + Math.floor(Math.random() * 600)}`,
      {
        signal: controller.signal,
      },
    );
    await res.arrayBuffer();
    counts.requests++;
    if (res.status === 503) counts.appKilled++;
    else if (res.status >= 500) {
      counts.other5xx++;
      if (samples.size < 5) samples.add(`${res.status} app`);
    }
  } catch {
    counts.requests++; // the client went away, or the instance is being restarted
  } finally {
    clearTimeout(timer);
  }
}

/** Eight pipelined requests on one connection that closes soon after: every one's task must end. */
function pipelined(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      let text = "";
      for (let i = 0; i < 8; i++) text += `GET /work?tok=p${randomBytes(4).toString("hex")}&ms=300 HTTP/1.1\r\nHost: soak\r\n\r\n`;
      socket.write(text);
      setTimeout(() => socket.destroy(), 20 + Math.random() * 200);
    });
    socket.on("data", () => undefined);
    socket.on("close", () => {
      counts.requests++;
      resolve();
    });
    socket.on("error", () => undefined);
  });
}

interface FleetRow {
  id: string;
  instance?: string;
  boot?: string;
  gone?: string;
  attrs?: { tok?: unknown };
}

/**
 * Rows read from the fleet's list earlier: some kills are taken from here, long after the read, as
 * from a page left open: the task has ended (404) or its instance restarted since (410), or the id
 * now names another task of a new incarnation, which the kill must not reach.
 */
const stale: FleetRow[] = [];

/** Kills a few tasks read from the fleet's list, each naming its boot and, in the message, its token. */
async function killSome(api: string): Promise<void> {
  const res = await fleetCall(`${api}/procs/?name=request`);
  if (res === undefined || res.status !== 200) return;
  const { procs } = (await res.json()) as { procs: FleetRow[] };
  const live = procs.filter((p) => p.gone === undefined && typeof p.attrs?.tok === "string" && p.instance !== undefined);
  if (live.length > 0) stale[Math.floor(Math.random() * 200)] = pick(live);
  for (let i = 0; i < 3 && live.length > 0; i++) {
    const old = Math.random() < 0.3 ? pick(stale) : undefined;
    const row = old ?? pick(live);
    const local = row.id.slice(row.instance!.length + 1);
    // Some while after the list was read, as an operator would: the task may have ended or its instance restarted.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
    const kill = await fleetCall(
      `${api}/procs/${encodeURIComponent(row.instance!)}/${encodeURIComponent(local)}${row.boot === undefined ? "" : `?boot=${row.boot}`}`,
      { method: "DELETE", headers: { "content-type": "application/json" }, body: JSON.stringify({ message: `soak ${row.attrs!.tok}` }) },
    );
    await kill?.arrayBuffer();
  }
}

async function worker(ports: Map<string, number>, api: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const roll = Math.random();
    const port = ports.get(pick(NAMES));
    if (roll < 0.4) {
      if (port !== undefined) await appCall(port, Math.random() < 0.2 ? 10 + Math.random() * 200 : undefined);
    } else if (roll < 0.5) {
      if (port !== undefined) await pipelined(port);
    } else if (roll < 0.75) {
      const res = await fleetCall(`${api}${pick(["/procs/", "/instances", "/stats", "/procs/?status=init&limit=5", "/procs/finished"])}`);
      await res?.arrayBuffer();
    } else await killSome(api);
    if (port === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function row(cells: (string | number)[]): string {
  return `| ${cells.join(" | ")} |`;
}

/** Live rows of up instances in the fleet's list now (undefined when it does not answer 200). */
async function fleetLive(api: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${api}/procs/`, { signal: AbortSignal.timeout(5000) });
    if (res.status !== 200) return undefined;
    return ((await res.json()) as { procs: FleetRow[] }).procs.filter((p) => p.gone === undefined).length;
  } catch {
    return undefined;
  }
}

/** Runs the leg for `durationMs`, a row every `intervalMs`; resolves with the settled row's figures. */
export async function runFleetLeg(durationMs: number, intervalMs: number): Promise<void> {
  const redis = await RedisServer.start();
  const env = { SOAK_REDIS: redis.url, SOAK_SERVICE: "soak" };
  const instances = new Map<string, Child>();
  const ports = new Map<string, number>();
  /** What a SIGKILLed process had counted before it went: its kills stay in the totals. */
  const carried = { rightKills: 0, wrongKills: 0, lostName: 0 };
  const startInstance = async (name: string) => {
    const child = new Child(["instance", name], env);
    instances.set(name, child);
    ports.set(name, (await child.started).port as number);
  };
  const apiChild = new Child(["api"], env);
  const children = () => [...instances.values(), apiChild];
  const events: string[] = [];
  try {
    await Promise.all(NAMES.map(startInstance));
    const api = (await apiChild.started).url as string;
    const started = Date.now();
    const at = () => ((Date.now() - started) / 1000).toFixed(1);
    const deadline = started + durationMs;

    const figures = async () => {
      const each = await Promise.all(NAMES.map((n) => instances.get(n)!.ask<InstanceFigures>()));
      const { heapMB } = await apiChild.ask<{ heapMB: number }>();
      const sum = (key: "live" | "rightKills" | "wrongKills" | "lostName") => each.reduce((total, f) => total + f[key], 0);
      return {
        heap: each.map((f) => f.heapMB.toFixed(1)),
        apiHeap: heapMB.toFixed(1),
        live: sum("live"),
        rightKills: carried.rightKills + sum("rightKills"),
        wrongKills: carried.wrongKills + sum("wrongKills"),
        lostName: carried.lostName + sum("lostName"),
      };
    };
    // A row and b's restart take turns: a row never asks a process that is being killed.
    let turn: Promise<unknown> = Promise.resolve();
    const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
      const run = turn.then(fn);
      turn = run.catch(() => undefined);
      return run;
    };
    const print = (label: string) => exclusive(() => printRow(label));
    const printRow = async (label: string) => {
      const f = await figures();
      const listed = await fleetLive(api);
      console.log(
        row([
          label,
          ...f.heap,
          f.apiHeap,
          f.live,
          listed ?? "-",
          f.rightKills,
          f.wrongKills,
          counts.gone410,
          counts.gone502,
          counts.unavailable,
          counts.other5xx,
          counts.requests,
        ]),
      );
      return { ...f, listed };
    };

    console.log(
      `Fleet leg: three instances (a, b, c) and serveFleet (timeoutMs 2000) over one redis-server; ${durationMs / 1000} s of load from ${WORKERS} workers; a row every ${intervalMs / 1000} s, then one once settled`,
    );
    console.log("");
    console.log(
      row([
        "at (s)",
        "heap a (MB)",
        "heap b (MB)",
        "heap c (MB)",
        "fleet API heap (MB)",
        "live tasks",
        "fleet's live rows",
        "kills carried out",
        "wrong kills",
        "410 restarted since",
        "502 gone",
        "503/504",
        "other 5xx",
        "requests so far",
      ]),
    );
    console.log(row(Array(14).fill("---")));
    await print("0");

    // The disruptions, at fixed shares of the run.
    const chaos = (async () => {
      const until = (share: number) =>
        new Promise((resolve) => setTimeout(resolve, Math.max(0, started + durationMs * share - Date.now())));
      await until(0.2);
      redis.freeze();
      events.push(`Redis frozen at ${at()} s`);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      redis.thaw();
      events.push(`thawed at ${at()} s`);
      await until(0.45);
      await redis.stop();
      await redis.restart();
      events.push(`Redis restarted empty at ${at()} s`);
      await until(0.7);
      await exclusive(async () => {
        const b = await instances.get("b")!.ask<InstanceFigures>();
        carried.rightKills += b.rightKills;
        carried.wrongKills += b.wrongKills;
        carried.lostName += b.lostName;
        ports.delete("b");
        await instances.get("b")!.kill();
        events.push(`b SIGKILLed at ${at()} s`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await startInstance("b");
        events.push(`b back under its name at ${at()} s`);
      });
    })();

    const load = Promise.all(Array.from({ length: WORKERS }, () => worker(ports, api, deadline)));
    for (let next = intervalMs; next <= durationMs; next += intervalMs) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + next - Date.now())));
      await print(String(Math.round((Date.now() - started) / 1000)));
    }
    await Promise.all([load, chaos]);
    // Load stopped: every request's task must end, and the fleet's list must show none live (within 30 s).
    for (let i = 0; i < 300; i++) {
      const f = await figures();
      if (f.live === 0 && (await fleetLive(api)) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const settled = await print("settled");
    console.log("");
    console.log(`disruptions: ${events.join("; ")}`);
    console.log(
      `processes told their name was taken (onError): ${settled.lostName}; killed app requests answered 503: ${counts.appKilled}${samples.size > 0 ? `; other 5xx samples: ${[...samples].join("; ")}` : ""}`,
    );
  } finally {
    await Promise.all(children().map((c) => c.kill()));
    await redis.stop();
  }
}
