import { expect } from "chai";
import Redis from "ioredis";
import { RedisServer } from "../../samples/redis-server";
import { quit } from "../../lib/fleet/bus";

/**
 * Closing a fleet connection never starts ioredis's 2 s wait on a connection already ended: that
 * timer kept every `proclist … --redis` command alive 2 s after it had printed its answer.
 */
describe("closing a fleet connection (quit)", () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start();
  });
  after(() => server.stop());

  /** `redis` with its disconnect() counted instead of run. */
  function counted<T extends { disconnect(): void }>(redis: T): { redis: T; disconnects: () => number } {
    let n = 0;
    const real = redis.disconnect.bind(redis);
    redis.disconnect = () => {
      n++;
      real();
    };
    return { redis, disconnects: () => n };
  }

  it("sends QUIT on a ready connection, and leaves a connection already ended alone", async () => {
    const { redis, disconnects } = counted(new Redis(server.url));
    await redis.ping();
    const ended = new Promise((resolve) => redis.once("end", resolve));
    await quit(redis);
    await ended;
    expect(redis.status).to.equal("end");
    await quit(redis);
    expect(disconnects(), "disconnect() on an ended connection").to.equal(0);
  });

  it("does not disconnect a connection whose QUIT failed because it was already closed", async () => {
    const fake = counted({
      status: "ready",
      async quit(): Promise<unknown> {
        this.status = "end";
        throw new Error("Connection is closed.");
      },
      disconnect(): void {},
    });
    await quit(fake.redis);
    expect(fake.disconnects()).to.equal(0);
  });

  it("drops a connection that is not ready and not ended (still connecting)", async () => {
    const { redis, disconnects } = counted(new Redis(server.url, { lazyConnect: true }));
    void redis.connect().catch(() => undefined);
    expect(redis.status).to.equal("connecting");
    await quit(redis);
    expect(disconnects()).to.equal(1);
  });
});
