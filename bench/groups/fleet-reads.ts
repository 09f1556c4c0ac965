import { execFile } from "node:child_process";
import { get } from "node:http";
import { join } from "node:path";
import { Redis } from "ioredis";
import { joinFleet, ProcessManager } from "../../lib";
import { FleetReader } from "../../lib/fleet/reader";
import { RedisCluster } from "../../samples/redis-cluster";
import { RedisServer } from "../../samples/redis-server";
import { median } from "../harness";
import { fmt, verdict, type Group, type Row } from "../report";
import { startServer, type RunningServer } from "../spawn";
import { timeKills } from "./fleet";

/** The p-th percentile of a list (nearest rank). */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Bytes Redis has sent to its clients so far (`INFO stats`): replies and pub/sub deliveries, not
 * what a cluster master streams to its replica (total_net_output_bytes counts that too, and right
 * after the bench's lists were written it is tens of MB per second).
 */
async function sentByRedis(redis: Redis): Promise<number> {
  const stats = await redis.info("stats");
  const field = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(stats)?.[1] ?? 0);
  return field("total_net_output_bytes") - field("total_net_repl_output_bytes");
}

/** Calls and µs per command so far (`INFO commandstats`). */
async function commandStats(redis: Redis): Promise<Map<string, { calls: number; usec: number }>> {
  const out = new Map<string, { calls: number; usec: number }>();
  for (const [, name, calls, usec] of (await redis.info("commandstats")).matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm))
    out.set(name, { calls: Number(calls), usec: Number(usec) });
  return out;
}

function totalCalls(stats: Map<string, { calls: number }>): number {
  let n = 0;
  for (const { calls } of stats.values()) n += calls;
  return n;
}

const mib = (n: number) => fmt(n / 2 ** 20, 1);
const kib = (n: number) => fmt(n / 2 ** 10, 0);

/** A whole body read and dropped as it comes: the client holds none of it. Resolves to its length. */
function drain(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => (bytes += chunk.length));
      res.on("end", () => resolve(bytes));
      res.on("error", reject);
    }).on("error", reject);
  });
}

/** `proclist …` in its own process; resolves to its wall time in ms and its output. */
function cli(args: string[]): Promise<{ ms: number; stdout: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [join(__dirname, "../../lib/cli/main.js"), ...args], { maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ ms: performance.now() - t0, stdout }),
    ),
  );
}

/** Simulated instances in `processes` processes (sim-0…), answering their control channels. */
async function simulate(
  url: string,
  service: string,
  instances: number,
  tasks: number,
  processes: number,
  beatMs?: number,
): Promise<RunningServer[]> {
  const per = Math.ceil(instances / processes);
  return Promise.all(
    Array.from({ length: processes }, (_, p) =>
      startServer("fleet-sim", {
        quick: false,
        variant: JSON.stringify({
          redis: url,
          service,
          instances: Math.min(per, instances - p * per),
          tasks,
          from: p * per,
          answer: true,
          beatMs,
        }),
      }),
    ),
  );
}

/**
 * The fleet's reads at scale, on a redis-server of its own and then on a Redis Cluster of its own
 * (every figure once on each, side by side): at 100 instances × 10,000 tasks a
 * filtered list matching 100 tasks (serveFleet's GET and proclist ls --redis: time, bytes Redis
 * sent) against selecting the same in Redis for every instance (what a fleet of silent instances
 * costs), and the whole list streamed (aggregator RSS growth); at 1,000 instances × 100 tasks the
 * whole and a filtered list, a routed kill's round trip, and the registry's own load on Redis.
 */
export const fleetReadsGroup: Group = async ({ quick, log }) => {
  const rows: Row[] = [];
  for (const on of ["one Redis", "Redis Cluster"] as const) {
    const backend = on === "one Redis" ? await single() : await cluster();
    const named = (figures: Row[]) => figures.map((row) => ({ ...row, figure: row.figure.replace(/^fleet: /, `fleet, ${on}: `) }));
    try {
      const big = { instances: quick ? 4 : 100, tasks: quick ? 1_000 : 10_000 };
      log(`fleet reads on ${on}`);
      rows.push(...named(await bigLists(backend, big.instances, big.tasks, quick ? 2 : 4, quick, log)));
      rows.push(...named(await manyInstances(backend, quick ? 20 : 1_000, 100, quick ? 2 : 4, quick, log)));
    } finally {
      await backend.stop();
    }
  }
  return rows;
};

/**
 * Where a leg of the bench runs: `url` is what the fleet is given (a cluster is found from any one
 * node), `admin(service)` a connection to the server holding that service's keys, whose own
 * statistics (bytes sent, command times) are the figures.
 */
interface Backend {
  url: string;
  admin(service: string): Promise<Redis>;
  stop(): Promise<void>;
}

async function single(): Promise<Backend> {
  const redis = await RedisServer.start();
  return { url: redis.url, admin: async () => new Redis(redis.url), stop: () => redis.stop() };
}

/** A 3-master / 3-replica cluster of its own; a service's keys all live on the master of its hash tag's slot. */
async function cluster(): Promise<Backend> {
  const nodes = await RedisCluster.start();
  return {
    url: nodes.url,
    admin: async (service) => new Redis(`redis://127.0.0.1:${await nodes.masterOf(`{proclist:${service}}`)}`),
    stop: () => nodes.stop(),
  };
}

/** One scale of a leg: its service's simulated instances, the aggregator over them, a reader and an admin connection. */
interface Fleet {
  service: string;
  url: string;
  admin: Redis;
  reader: FleetReader;
  /** The aggregator's base URL. */
  base: string;
  api: RunningServer;
  stop(): Promise<void>;
}

/** Starts `instances` × `tasks` simulated in `processes` processes (heartbeats every `beatMs`), and the aggregator over them. */
async function startFleet(backend: Backend, instances: number, tasks: number, processes: number, beatMs?: number): Promise<Fleet> {
  const service = `reads-${instances}x${tasks}`;
  const url = backend.url;
  const sims = await simulate(url, service, instances, tasks, processes, beatMs);
  const api = await startServer("fleet-api", { quick: false, variant: JSON.stringify({ redis: url, service }) });
  const admin = await backend.admin(service);
  const reader = new FleetReader({ redis: url, service, timeoutMs: 60_000 });
  return {
    service,
    url,
    admin,
    reader,
    api,
    base: `http://127.0.0.1:${api.info.port}`,
    async stop() {
      await reader.close();
      await admin.flushall().catch(() => undefined);
      admin.disconnect();
      await api.stop();
      await Promise.all(sims.map((sim) => sim.stop()));
    },
  };
}

async function bigLists(
  backend: Backend,
  instances: number,
  tasks: number,
  processes: number,
  quick: boolean,
  log: (m: string) => void,
): Promise<Row[]> {
  log(`fleet reads: publishing ${instances} instances × ${fmt(tasks)} tasks in ${processes} processes`);
  const fleet = await startFleet(backend, instances, tasks, processes);
  const { service, url, admin, reader, base, api } = fleet;
  // One task per instance: its uri names its index, the same on every simulated instance.
  const uri = "/orders/100007?expand=items";
  const query = `attr.uri=${encodeURIComponent(uri)}`;
  try {
    const procsOf = async () => ((await (await fetch(`${base}/procs/?${query}`)).json()) as { procs: unknown[] }).procs.length;
    if ((await procsOf()) !== instances) throw new Error("the filtered list did not match one task per instance");
    log("fleet reads: filtered lists");
    const walls: number[] = [];
    const bytes: number[] = [];
    for (let round = 0; round < (quick ? 3 : 20); round++) {
      const before = await sentByRedis(admin);
      const t0 = performance.now();
      const n = await procsOf();
      walls.push(performance.now() - t0);
      bytes.push((await sentByRedis(admin)) - before);
      if (n !== instances) throw new Error(`the filtered list had ${n} tasks`);
    }
    const cliWalls: number[] = [];
    let cliBytes = 0;
    for (let round = 0; round < (quick ? 1 : 5); round++) {
      const before = await sentByRedis(admin);
      const { ms, stdout } = await cli([
        "ls",
        "--redis",
        url,
        "--service",
        service,
        "--attr",
        `uri=${uri}`,
        "--json",
        "--timeout",
        "60000",
      ]);
      cliBytes = (await sentByRedis(admin)) - before;
      cliWalls.push(ms);
      if ((JSON.parse(stdout) as unknown[]).length !== instances) throw new Error("ls did not list one task per instance");
    }
    log("fleet reads: the same selected inside Redis, instance by instance");
    const statsBefore = await commandStats(admin);
    const sentBefore = await sentByRedis(admin);
    const t0 = performance.now();
    let found = 0;
    for (let i = 0; i < instances; i++) {
      const values = await reader.storedMatches(`sim-${i}`, { [`attr.uri`]: uri });
      if (typeof values !== "string") found += values.length;
    }
    const inRedisMs = performance.now() - t0;
    const inRedisBytes = (await sentByRedis(admin)) - sentBefore;
    const evalUsec = ((await commandStats(admin)).get("eval")?.usec ?? 0) - (statsBefore.get("eval")?.usec ?? 0);
    log("fleet reads: the whole list, streamed");
    await api.ask("memory"); // the peak is counted from here
    const idle = await api.ask("memory");
    const hscanBefore = (await commandStats(admin)).get("hscan")?.usec ?? 0;
    const w0 = performance.now();
    const body = await drain(`${base}/procs/`);
    const wholeMs = performance.now() - w0;
    const hscanMs = (((await commandStats(admin)).get("hscan")?.usec ?? 0) - hscanBefore) / 1000;
    const after = await api.ask("memory");
    const growth = (after.peak as number) - (idle.rss as number);
    const p95 = percentile(walls, 95);
    const bytesMoved = median(bytes);
    const scale = `${instances} instances × ${fmt(tasks)} tasks`;
    return [
      {
        figure: `fleet: filtered GET /procs/?attr.uri=… (${instances} matches) over ${scale}, p95 (ms)`,
        measured: fmt(p95, 0),
        reference: `p50 ${fmt(median(walls), 0)} ms over ${walls.length}; asked of each instance`,
        target: "≤ 1000",
        verdict: verdict(p95 <= 1000),
      },
      {
        figure: "fleet: bytes Redis sent for it (KiB)",
        measured: kib(bytesMoved),
        reference: `the whole list is ${mib(body)} MiB`,
        target: "≤ 1024",
        verdict: verdict(bytesMoved <= 1 << 20),
      },
      {
        figure: `fleet: proclist ls --redis --attr uri=… over ${scale}, p95 (ms)`,
        measured: fmt(percentile(cliWalls, 95), 0),
        reference: `a process start included; ${kib(cliBytes)} KiB from Redis`,
        target: "≤ 1000",
        verdict: verdict(percentile(cliWalls, 95) <= 1000),
      },
      {
        figure: "fleet: the same selected inside Redis for every instance (ms)",
        measured: fmt(inRedisMs, 0),
        reference: `Redis busy ${fmt(evalUsec / 1000, 0)} ms in the script; ${kib(inRedisBytes)} KiB; ${found} candidates`,
        target: "",
        verdict: "",
      },
      {
        figure: `fleet: whole GET /procs/ over ${scale}, streamed (ms)`,
        measured: fmt(wholeMs, 0),
        reference: `${mib(body)} MiB; Redis ${fmt(hscanMs, 0)} ms in HSCAN; aggregator RSS ${mib(idle.rss as number)} → peak ${mib(after.peak as number)} MiB`,
        target: "",
        verdict: "",
      },
      {
        figure: "fleet: aggregator RSS growth during it (MiB)",
        measured: mib(growth),
        reference: "peak while streaming minus RSS before",
        target: "≤ 64",
        verdict: verdict(growth <= 64 * 2 ** 20),
      },
    ];
  } finally {
    await fleet.stop();
  }
}

async function manyInstances(
  backend: Backend,
  instances: number,
  tasks: number,
  processes: number,
  quick: boolean,
  log: (m: string) => void,
): Promise<Row[]> {
  log(`fleet reads: ${instances} instances × ${tasks} tasks in ${processes} processes`);
  // Heartbeats every 5 s, joinFleet's default: the registry's load is measured as it runs.
  const fleet = await startFleet(backend, instances, tasks, processes, 5_000);
  const { service, url, admin, reader, base } = fleet;
  const manager = new ProcessManager();
  const membership = await joinFleet({ redis: url, service, instance: "killee", manager });
  try {
    log("fleet reads: lists over many instances");
    await drain(`${base}/procs/`);
    const whole: number[] = [];
    const filtered: number[] = [];
    for (let round = 0; round < (quick ? 2 : 5); round++) {
      let t0 = performance.now();
      await drain(`${base}/procs/`);
      whole.push(performance.now() - t0);
      t0 = performance.now();
      const body = (await (await fetch(`${base}/procs/?attr.uri=${encodeURIComponent("/orders/100007?expand=items")}`)).json()) as {
        procs: unknown[];
      };
      filtered.push(performance.now() - t0);
      if (body.procs.length !== instances) throw new Error(`the filtered list had ${body.procs.length} tasks`);
    }
    log("fleet reads: routed kills");
    const kills = quick ? 30 : 300;
    const times = await timeKills(manager, reader, kills);
    log("fleet reads: the registry's load while idle");
    const seconds = quick ? 2 : 15;
    const statsBefore = await commandStats(admin);
    const before = totalCalls(statsBefore);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const statsAfter = await commandStats(admin);
    const after = totalCalls(statsAfter);
    // The commands that make the load, most called first.
    const top = [...statsAfter]
      .map(([name, { calls }]) => [name, (calls - (statsBefore.get(name)?.calls ?? 0)) / seconds] as const)
      .filter(([, rate]) => rate > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([name, rate]) => `${name.toUpperCase()} ${fmt(rate, 0)}/s`)
      .join(", ");
    // The two INFO calls are the bench's own.
    const perSecond = (after - before - 1) / seconds;
    // What clients sent: the commands run by scripts (each heartbeat is one EVAL) not counted.
    const sent = (name: string) => (statsAfter.get(name)?.calls ?? 0) - (statsBefore.get(name)?.calls ?? 0);
    const requests = sent("eval") + sent("evalsha") + sent("publish") + sent("spublish") + sent("zrange") + sent("mget");
    const p99 = percentile(times, 99);
    const scale = `${fmt(instances)} instances × ${tasks} tasks`;
    return [
      {
        figure: `fleet: whole GET /procs/ over ${scale} (ms)`,
        measured: fmt(median(whole), 0),
        reference: `max ${fmt(Math.max(...whole), 0)} ms over ${whole.length}`,
        target: "≤ 2000",
        verdict: verdict(Math.max(...whole) <= 2000),
      },
      {
        figure: `fleet: filtered GET /procs/?attr.uri=… over ${scale}, ${instances} matches (ms)`,
        measured: fmt(median(filtered), 0),
        reference: `max ${fmt(Math.max(...filtered), 0)} ms; every instance asked`,
        target: "≤ 2000",
        verdict: verdict(Math.max(...filtered) <= 2000),
      },
      {
        figure: `fleet: routed kill round trip among ${fmt(instances)} instances, p99 (ms)`,
        measured: fmt(p99, 2),
        reference: `p50 ${fmt(percentile(times, 50), 2)} ms over ${kills} kills`,
        target: "≤ 50",
        verdict: verdict(p99 <= 50),
      },
      {
        figure: "fleet: registry load on Redis at rest (requests/s per instance)",
        measured: fmt(requests / seconds / (instances + 1), 3),
        reference: `${fmt(perSecond / (instances + 1), 2)} commands/s per instance counting those the heartbeat's script runs; ${fmt(perSecond, 0)}/s for ${fmt(instances + 1)} instances heartbeating every 5 s, over ${seconds} s: ${top}`,
        target: "",
        verdict: "",
      },
    ];
  } finally {
    await membership.leave();
    await fleet.stop();
  }
}
