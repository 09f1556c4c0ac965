// `node dist/bench/cluster-failover.js [rounds]`: on a fresh local 3-master / 3-replica Redis Cluster,
// routed kills run one after another while CLUSTER FAILOVER moves the service's slot to a replica;
// prints per round the kills sent, any that failed, the slowest kill, and how long after the failover
// completed the first kill answered and the first event arrived.
import "reflect-metadata";
import { joinFleet, ProcessManager } from "../lib";
import { fleetEvents } from "../lib/fleet/events";
import { FleetReader } from "../lib/fleet/reader";
import { RedisCluster } from "../samples/redis-cluster";

async function round(cluster: RedisCluster, n: number): Promise<Record<string, unknown>> {
  const manager = new ProcessManager();
  const ids = Array.from({ length: 2000 }, (_, i) => `k${i}`);
  for (const id of ids)
    manager
      .run((task) => new Promise((_resolve, reject) => task.signal.addEventListener("abort", () => reject(task.signal.reason))), { id })
      .catch(() => undefined);
  const service = `failover${n}`;
  const membership = await joinFleet({ redis: cluster.url, service, instance: "w", manager, publishMs: 20 });
  const reader = new FleetReader({ redis: cluster.urls, service });
  await reader.connected();
  let lastEvent = 0;
  let resets = 0;
  const stop = fleetEvents(reader, () => resets++).subscribe(() => (lastEvent = Date.now()));
  // A task started every 20 ms: events to relay all along.
  const ticker = setInterval(() => manager.start(`e${Date.now()}`), 20);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  let done = 0;
  const failover = cluster.failover(reader.keys.instances).then(() => (done = Date.now()));
  const failures: string[] = [];
  let slowest = 0;
  let sent = 0;
  let firstKill = 0;
  let firstEvent = 0;
  while (done === 0 || firstKill === 0 || firstEvent === 0) {
    const at = Date.now();
    try {
      const reply = await reader.ask("w", "kill", { id: ids[sent++] });
      if (reply.status !== 200) failures.push(`status ${reply.status}`);
      else if (done !== 0 && firstKill === 0 && at >= done) firstKill = Date.now();
    } catch (error) {
      failures.push((error as Error).message);
    }
    slowest = Math.max(slowest, Date.now() - at);
    if (done !== 0 && firstEvent === 0 && lastEvent > done) firstEvent = lastEvent;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await failover;
  clearInterval(ticker);
  stop();
  await reader.close();
  await membership.leave();
  return {
    round: n,
    kills: sent,
    failures,
    slowestKillMs: slowest,
    firstKillAfterMs: firstKill - done,
    firstEventAfterMs: firstEvent - done,
    resets,
  };
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 5);
  const cluster = await RedisCluster.start();
  try {
    for (let n = 0; n < rounds; n++) console.log(JSON.stringify(await round(cluster, n)));
  } finally {
    await cluster.stop();
  }
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
