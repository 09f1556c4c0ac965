import { execFile, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { onFreePorts, spawnRedis } from "./redis-server";

const run = promisify(execFile);

/**
 * One redis-server of the cluster: its port, its cluster bus port (chosen too: the default, port +
 * 10000, may be taken or past 65535), its temp dir (nodes.conf lives there) and its process.
 */
interface Node {
  port: number;
  busPort: number;
  dir: string;
  child: ChildProcess | undefined;
}

/**
 * A Redis Cluster of our own on free loopback ports (never the system's), for the specs and the
 * bench: 3 masters and 3 replicas (`redis-cli --cluster create … --cluster-replicas 1`), each
 * node with `cluster-enabled yes` in its own temp dir, no persistence. `stop()` ends every node
 * and removes the dirs.
 */
export class RedisCluster {
  private constructor(private readonly nodes: Node[]) {}

  /** Every node's URL; any one of them finds the whole cluster. */
  get urls(): string[] {
    return this.nodes.map((node) => `redis://127.0.0.1:${node.port}`);
  }

  /** The first node's URL (a master right after the start; any node works). */
  get url(): string {
    return this.urls[0];
  }

  /**
   * Starts six nodes, joins them into a cluster and resolves once every node says the cluster is
   * ok. Ports taken between finding them free and binding them are found again.
   */
  static start(): Promise<RedisCluster> {
    return onFreePorts(12, (ports) => RedisCluster.startOn(ports));
  }

  private static async startOn(ports: number[]): Promise<RedisCluster> {
    const nodes: Node[] = [];
    const cluster = new RedisCluster(nodes);
    try {
      for (let i = 0; i < 6; i++)
        nodes.push({
          port: ports[2 * i],
          busPort: ports[2 * i + 1],
          dir: await mkdtemp(join(tmpdir(), "proclist-cluster-")),
          child: undefined,
        });
      await Promise.all(nodes.map((node) => cluster.startNode(node)));
      await run("redis-cli", [
        "--cluster",
        "create",
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        "--cluster-replicas",
        "1",
        "--cluster-yes",
      ]);
      await cluster.waitUntil("every node sees the cluster ok with 3 masters and 3 replicas", async () => {
        for (const node of nodes) {
          const info = await cluster.cli(node.port, "CLUSTER", "INFO");
          if (!info.includes("cluster_state:ok") || !info.includes("cluster_known_nodes:6") || !info.includes("cluster_size:3"))
            return false;
        }
        const roles = await Promise.all(nodes.map((node) => cluster.cli(node.port, "ROLE")));
        return roles.filter((role) => role.startsWith("master")).length === 3 && roles.every((role) => !role.includes("connect"));
      });
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** `redis-cli -p <port> <args…>` on one node, its output trimmed. */
  async cli(port: number, ...args: string[]): Promise<string> {
    const { stdout } = await run("redis-cli", ["-p", String(port), ...args]);
    return stdout.trim();
  }

  /** The port of the master holding `key`'s slot now (asked of the cluster itself). */
  async masterOf(key: string): Promise<number> {
    const slot = Number(await this.cli(this.nodes[0].port, "CLUSTER", "KEYSLOT", key));
    for (const node of this.nodes) {
      const lines = (await this.cli(node.port, "CLUSTER", "NODES")).split("\n");
      for (const line of lines) {
        const fields = line.split(" ");
        if (!fields[2]?.includes("master") || fields[2].includes("fail")) continue;
        for (const range of fields.slice(8)) {
          const [from, to = from] = range.split("-").map(Number);
          if (slot >= from && slot <= to) return Number(fields[1].split(":")[1].split("@")[0]);
        }
      }
    }
    throw new Error(`no master holds slot ${slot}`);
  }

  /**
   * A primary failover of the shard holding `key`: `CLUSTER FAILOVER` on a replica of its master,
   * resolved once that replica is the slot's master in every node's view. Resolves with the ports
   * of the old and the new master.
   */
  async failover(key: string): Promise<{ from: number; to: number }> {
    const from = await this.masterOf(key);
    const replica = await this.replicaOf(from);
    const reply = await this.cli(replica, "CLUSTER", "FAILOVER");
    if (reply !== "OK") throw new Error(`CLUSTER FAILOVER on ${replica}: ${reply}`);
    await this.waitUntil(`node ${replica} is master of ${key}'s slot for every node`, async () => {
      for (const node of this.nodes) {
        const lines = (await this.cli(node.port, "CLUSTER", "NODES")).split("\n");
        const line = lines.find((l) => l.split(" ")[1]?.startsWith(`127.0.0.1:${replica}@`));
        if (line === undefined || !line.split(" ")[2].includes("master")) return false;
      }
      return (await this.cli(from, "ROLE")).startsWith("slave");
    });
    return { from, to: replica };
  }

  /** Ends every node and removes their dirs. */
  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        const child = node.child;
        node.child = undefined;
        if (child !== undefined && child.exitCode === null)
          await new Promise<void>((resolve) => {
            child.once("exit", () => resolve());
            child.kill("SIGKILL");
          });
        await rm(node.dir, { recursive: true, force: true });
      }),
    );
  }

  private async replicaOf(master: number): Promise<number> {
    const lines = (await this.cli(master, "CLUSTER", "NODES")).split("\n");
    const id = lines.find((l) => l.includes("myself"))!.split(" ")[0];
    const replica = lines.find((l) => l.split(" ")[3] === id && !l.split(" ")[2].includes("fail"));
    if (replica === undefined) throw new Error(`the master on ${master} has no replica`);
    return Number(replica.split(" ")[1].split(":")[1].split("@")[0]);
  }

  private startNode(node: Node): Promise<void> {
    return spawnRedis(
      "redis-server (cluster node)",
      [
        "--port",
        String(node.port),
        "--cluster-port",
        String(node.busPort),
        "--bind",
        "127.0.0.1",
        "--dir",
        node.dir,
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "nodes.conf",
        "--cluster-node-timeout",
        "2000",
        "--save",
        "",
        "--appendonly",
        "no",
      ],
      (child) => (node.child = child),
    );
  }

  private async waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        if (await check()) return;
      } catch {
        // a node not answering yet: ask again
      }
      if (Date.now() > deadline) throw new Error(`the Redis Cluster did not come up: ${what} within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
