import { setTimeout as sleep } from "node:timers/promises";
import { joinFleet, ProcessManager } from "../../lib";
import { FleetReader } from "../../lib/fleet/reader";
import { RedisServer } from "../../samples/redis-server";
import { median } from "../harness";
import { fmt, type Group, type Row } from "../report";
import { startServer } from "../spawn";

/** The p-th percentile of a list (nearest rank). */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Microseconds Redis spent reading task lists so far (HSCAN pages, INFO commandstats). */
async function hvalsUsec(reader: FleetReader): Promise<number> {
  const info = await reader.command.info("commandstats");
  return Number(/cmdstat_hscan:calls=\d+,usec=(\d+)/.exec(info)?.[1] ?? 0);
}

/**
 * The fleet on a Redis of its own: a kill's round trip through Redis; `GET /procs/` of `serveFleet`
 * over simulated instances (wall time, Redis time, bytes, the aggregator's peak memory); and the CPU
 * an instance spends publishing while its tasks change status 1,000 times a second.
 */
export const fleetGroup: Group = async ({ quick, runs, log }) => {
  const redis = await RedisServer.start();
  const rows: Row[] = [];
  try {
    rows.push(...(await killRoundTrip(redis.url, quick ? 30 : 500, log)));
    const sizes = quick
      ? [
          [2, 100],
          [4, 100],
        ]
      : [
          [10, 1000],
          [50, 1000],
          [100, 1000],
          [10, 10_000],
          [50, 10_000],
          [100, 10_000],
        ];
    for (const [instances, tasks] of sizes) rows.push(await listCost(redis.url, instances, tasks, quick ? 1 : 3, log));
    rows.push(...(await publishingCpu(redis.url, quick ? 1_000 : 5_000, quick ? 1 : runs, log)));
  } finally {
    await redis.stop();
  }
  return rows;
};

async function killRoundTrip(url: string, kills: number, log: (m: string) => void): Promise<Row[]> {
  log(`fleet: ${kills} kills through Redis`);
  const manager = new ProcessManager();
  const membership = await joinFleet({ redis: url, service: "bench-kill", instance: "killee", manager });
  // A generous answer timeout: on a busy machine a slow round trip is a figure, not a failed run.
  const reader = new FleetReader({ redis: url, service: "bench-kill", timeoutMs: 60_000 });
  const times: number[] = [];
  try {
    times.push(...(await timeKills(manager, reader, kills)));
  } finally {
    await reader.close();
    await membership.leave();
  }
  return [
    {
      figure: "fleet: kill round trip through Redis, p50 (ms)",
      measured: fmt(percentile(times, 50), 2),
      reference: `${kills} kills, one instance`,
      target: "",
      verdict: "",
    },
    {
      figure: "fleet: kill round trip through Redis, p99 (ms)",
      measured: fmt(percentile(times, 99), 2),
      reference: "",
      target: "",
      verdict: "",
    },
  ];
}

async function listCost(url: string, instances: number, tasks: number, rounds: number, log: (m: string) => void): Promise<Row> {
  const service = `bench-ls-${instances}x${tasks}`;
  log(`fleet: publishing ${instances} instances × ${fmt(tasks)} tasks`);
  const variant = JSON.stringify({ redis: url, service, instances, tasks });
  const sim = await startServer("fleet-sim", { quick: false, variant });
  const api = await startServer("fleet-api", { quick: false, variant });
  const reader = new FleetReader({ redis: url, service });
  try {
    await reader.connected();
    await api.ask("memory");
    const walls: number[] = [];
    const redisMs: number[] = [];
    let bytes = 0;
    for (let round = 0; round < rounds; round++) {
      const before = await hvalsUsec(reader);
      const t0 = performance.now();
      const body = await (await fetch(`http://127.0.0.1:${api.info.port}/procs/`)).arrayBuffer();
      walls.push(performance.now() - t0);
      redisMs.push(((await hvalsUsec(reader)) - before) / 1000);
      bytes = body.byteLength;
    }
    const memory = await api.ask("memory");
    const mib = (n: number) => fmt(n / 2 ** 20, 1);
    return {
      figure: `fleet: GET /procs/ over ${instances} instances × ${fmt(tasks)} tasks (ms)`,
      measured: fmt(median(walls), 0),
      reference: `Redis ${fmt(median(redisMs), 1)} ms in HSCAN; ${mib(bytes)} MiB sent; aggregator RSS peak ${mib(memory.peak)} MiB`,
      target: "",
      verdict: "",
    };
  } finally {
    await reader.command.flushall().catch(() => undefined);
    await reader.close();
    await api.stop();
    await sim.stop();
  }
}

async function publishingCpu(url: string, ms: number, runs: number, log: (m: string) => void): Promise<Row[]> {
  const idle: number[] = [];
  const tracking: number[] = [];
  const publishing: number[] = [];
  for (let run = 0; run < runs; run++) {
    log(`fleet: publishing CPU, run ${run + 1}/${runs}`);
    // Interleaved, so a change of load weighs on all three alike.
    const servers = await Promise.all(
      [{ rate: 0 }, { rate: 1000 }, { rate: 1000, redis: url }].map((v) =>
        startServer("fleet-instance", { quick: false, variant: JSON.stringify(v) }),
      ),
    );
    await sleep(500);
    const before = await Promise.all(servers.map((s) => s.cpu()));
    await sleep(ms);
    const after = await Promise.all(servers.map((s) => s.cpu()));
    await Promise.all(servers.map((s) => s.stop()));
    const [a, b, c] = after.map((v, i) => (v - before[i]) / (ms / 1000) / 1000);
    idle.push(a);
    tracking.push(b - a);
    publishing.push(c - b);
  }
  const track = median(tracking);
  const publish = median(publishing);
  return [
    {
      figure: "fleet: CPU of 1,000 status changes/s, tracking alone (ms per s)",
      measured: fmt(track, 2),
      reference: `idle instance ${fmt(median(idle), 2)} ms/s`,
      target: "",
      verdict: "",
    },
    {
      figure: "fleet: CPU of publishing them to Redis (ms per s; × tracking)",
      measured: `${fmt(publish, 2)} (${(publish / Math.max(track, 1e-6)).toFixed(1)}×)`,
      reference: "a pass per 250 ms: changed tasks' JSON, one MULTI",
      target: "",
      verdict: "",
    },
  ];
}

/**
 * The round trip of `kills` routed kills, one at a time: each starts a task on `manager` (joined to
 * the fleet as "killee") that waits for its cancel, and times the kill sent through `reader` until
 * its answer is in (ms each).
 */
export async function timeKills(manager: ProcessManager, reader: FleetReader, kills: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < kills; i++) {
    const ended = manager.run(
      (task) => new Promise((_resolve, reject) => task.signal.addEventListener("abort", () => reject(task.signal.reason))),
      { id: `t${i}` },
    );
    ended.catch(() => undefined);
    const t0 = performance.now();
    const reply = await reader.ask("killee", "kill", { id: `t${i}`, by: "bench" });
    times.push(performance.now() - t0);
    if (reply.status !== 200) throw new Error(`kill answered ${reply.status}`);
  }
  return times;
}
