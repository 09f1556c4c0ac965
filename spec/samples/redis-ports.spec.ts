import { expect } from "chai";
import { once } from "node:events";
import { createServer } from "node:net";
import { RedisCluster } from "../../samples/redis-cluster";
import { onFreePorts, PortTakenError, RedisServer, spawnRedis } from "../../samples/redis-server";
import { rejectionOf } from "../helpers";

describe("the specs' own Redis servers on free ports", function () {
  this.timeout(90_000);

  it("a redis-server whose port was taken after it was found free fails with a PortTakenError", async () => {
    const holder = createServer().listen(0, "127.0.0.1");
    await once(holder, "listening");
    const { port } = holder.address() as { port: number };
    try {
      const error = await rejectionOf(spawnRedis("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", ""], () => {}));
      expect(error).to.be.instanceOf(PortTakenError);
      expect((error as Error).message).to.include("Address already in use");
    } finally {
      holder.close();
    }
  });

  it("a redis-server refusing its arguments fails with what it said, not as a taken port", async () => {
    const error = await rejectionOf(spawnRedis("redis-server", ["--no-such-option", "1"], () => {}));
    expect(error).to.be.instanceOf(Error).and.not.instanceOf(PortTakenError);
    expect((error as Error).message).to.match(/no-such-option/i);
  });

  it("onFreePorts asks for other ports when the start finds one taken, and gives up on other errors", async () => {
    const tried: number[][] = [];
    const result = await onFreePorts(2, async (ports) => {
      tried.push(ports);
      if (tried.length < 3) throw new PortTakenError("taken");
      return ports;
    });
    expect(tried).to.have.length(3);
    expect(result).to.have.length(2);
    expect(result[0]).to.not.equal(result[1]);
    let calls = 0;
    const other = await rejectionOf(
      onFreePorts(1, async () => {
        calls++;
        throw new Error("no redis-server");
      }),
    );
    expect((other as Error).message).to.equal("no redis-server");
    expect(calls).to.equal(1);
  });

  it("a server and a cluster come up and answer on the ports they report", async () => {
    const server = await RedisServer.start();
    const cluster = await RedisCluster.start();
    try {
      expect(await cluster.cli(Number(new URL(cluster.url).port), "PING")).to.equal("PONG");
      const nodes = await cluster.cli(Number(new URL(cluster.url).port), "CLUSTER", "NODES");
      expect(nodes.split("\n").filter((line) => line.includes("connected"))).to.have.length(6);
      expect(await cluster.cli(server.port, "PING")).to.equal("PONG");
    } finally {
      await server.stop();
      await cluster.stop();
    }
  });
});
