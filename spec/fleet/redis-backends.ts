import { RedisCluster } from "../../samples/redis-cluster";
import { RedisServer } from "../../samples/redis-server";

/** A Redis the fleet specs run against: one server, or a 3-master / 3-replica Redis Cluster. */
export interface RedisBackend {
  readonly kind: "one Redis" | "a Redis Cluster";
  /** One URL: the server's, or the first node's (the fleet finds the cluster from it). */
  readonly url: string;
  /** Every node's URL (one for one Redis). */
  readonly urls: string[];
  /** On a cluster: a primary failover of the shard holding `key` (CLUSTER FAILOVER on a replica), resolved once done. */
  readonly failover?: (key: string) => Promise<{ from: number; to: number }>;
}

/**
 * Defines `body` once on its own redis-server and once on a Redis Cluster of six nodes, each
 * started before the describe and stopped after it: the same specs hold on both.
 */
export function onEachRedis(title: string, body: (backend: () => RedisBackend, kind: RedisBackend["kind"]) => void): void {
  describe(`${title}, on one Redis`, function () {
    this.timeout(120_000);
    let server: RedisServer | undefined;
    before(async () => {
      server = await RedisServer.start();
    });
    after(async () => {
      await server?.stop();
    });
    body(() => ({ kind: "one Redis", url: server!.url, urls: [server!.url] }), "one Redis");
  });
  describe(`${title}, on a Redis Cluster`, function () {
    this.timeout(180_000);
    let cluster: RedisCluster | undefined;
    before(async () => {
      cluster = await RedisCluster.start();
    });
    after(async () => {
      await cluster?.stop();
    });
    body(
      () => ({ kind: "a Redis Cluster", url: cluster!.url, urls: cluster!.urls, failover: (key) => cluster!.failover(key) }),
      "a Redis Cluster",
    );
  });
}
