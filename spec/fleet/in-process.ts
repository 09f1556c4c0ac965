import { joinFleet, ProcessManager, serveFleet, type FleetMembership, type FleetServeOptions, type ServedApi } from "../../lib";
import { RedisServer } from "../../samples/redis-server";
import { releaseAll } from "../helpers";

/**
 * A fleet in this process for each spec of the calling `describe`: its own redis-server (one for
 * the describe), a manager joined to `service` as instance `i1` (publishing every 20 ms) and
 * serveFleet on a free port in front of it, with `options` (tokens, say); `use` gets the manager,
 * the API and the Redis URL before each spec. After each, blocked tasks are released, the API closed and the
 * instance gone from the fleet.
 */
export function fleetPerSpec(
  service: string,
  use: (fleet: { pm: ProcessManager; api: ServedApi; redisUrl: string }) => void,
  options: Partial<FleetServeOptions> = {},
): void {
  let redis: RedisServer | undefined;
  let api: ServedApi | undefined;
  let membership: FleetMembership | undefined;
  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    const pm = new ProcessManager();
    membership = await joinFleet({ redis: redis!.url, service, instance: "i1", manager: pm, publishMs: 20 });
    api = await serveFleet({ ...options, redis: redis!.url, service, port: 0 });
    use({ pm, api, redisUrl: redis!.url });
  });
  afterEach(async () => {
    releaseAll();
    await api?.close();
    await membership?.leave();
  });
}
