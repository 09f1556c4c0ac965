import { container } from "tsyringe";
import { ProcessManager } from "../core/manager";
import { ControlServer } from "./control";
import { EventRelay } from "./event-relay";
import { FleetKeys } from "./keys";
import { resolveJoinOptions, type JoinFleetOptions } from "./options";
import { TaskPublisher } from "./publisher";
import { openRedis } from "./redis";
import { DuplicateInstanceError } from "./errors";
import { describeHolder, Registration } from "./registry";
import { bootOf } from "./boot";
import { formatTime } from "../http/responses/time";
import { setTimeout as sleep } from "node:timers/promises";

/** An instance's place in the fleet, as `joinFleet()` resolves it. */
export interface FleetMembership {
  /** This instance's name: its tasks are `<instance>/<id>` in the fleet. */
  readonly instance: string;
  readonly service: string;
  /** This incarnation of the instance (random, one per manager and process): its task rows and its record carry it. */
  readonly boot: string;
  /** Removes the instance from the fleet at once and closes the connections proclist opened. */
  leave(): Promise<void>;
}

/** How long `joinFleet` waits for Redis before resolving anyway (it then registers once Redis answers). */
const JOIN_WAIT_MS = 10_000;

/**
 * Makes this process an instance of a fleet on Redis: registers it (a key with a TTL, refreshed
 * by heartbeat), publishes its live tasks (by difference, at most every `publishMs`), and answers
 * kills and history requests routed to it. Tracking never waits on Redis: while Redis is away the
 * instance keeps tracking, publishes nothing, reconnects with backoff and re-registers by itself.
 * Rejects with DuplicateInstanceError when a live instance has the name, TypeError on a bad option.
 *
 * @example
 * const membership = await joinFleet({ redis: process.env.REDIS_URL!, service: "orders" });
 * process.on("SIGTERM", () => void membership.leave());
 */
export async function joinFleet(options: JoinFleetOptions): Promise<FleetMembership> {
  const config = resolveJoinOptions(options);
  if (config.manager !== undefined && !(config.manager instanceof ProcessManager))
    throw new TypeError(`invalid fleet option "manager": must be a ProcessManager`);
  const { instance, service } = config;
  const manager = config.manager ?? container.resolve(ProcessManager);
  const keys = new FleetKeys(config.prefix, service);
  let down = false;
  const redis = openRedis(config.redis, keys.instances, `proclist-${instance}`, (error) => {
    if (down) return;
    down = true;
    process.emitWarning(
      `proclist fleet: Redis unreachable (${error.message}); ${instance} keeps tracking locally and reconnects`,
      "ProclistFleetWarning",
    );
  });
  const { bus } = redis;
  const boot = bootOf(manager);
  const registration = new Registration(redis, keys, instance, config.ttlMs, boot);
  const publisher = new TaskPublisher(
    redis,
    manager,
    keys.procs(instance),
    instance,
    config.ttlMs,
    {
      key: keys.instance(instance),
      nonce: registration.nonce,
      lost: (holder) => loseName(new DuplicateInstanceError(instance, service, describeHolder(holder))),
    },
    boot,
  );
  let lost: DuplicateInstanceError | undefined;
  /** Whether the name is this process's to answer for (set once it is claimed, or Redis was away at the join). */
  let named = false;
  let heartbeat: NodeJS.Timeout | undefined;
  const taken = async (): Promise<boolean> => {
    if (lost !== undefined) return true;
    const yes = await registration.taken();
    if (yes)
      loseName(new DuplicateInstanceError(instance, service, "another process registered it while this one was silent past its TTL"));
    return yes;
  };
  const control = new ControlServer(redis, keys, instance, manager, taken, boot, formatTime(registration.startedAt));
  const relay = new EventRelay(redis, manager, keys.events, instance, boot);
  /** Relays events while someone listens on the events channel (asked at each heartbeat and after subscribing again). */
  const checkWatchers = async (): Promise<void> => {
    if ((await bus.heard(keys.events)) > 0) relay.watch(config.publishMs);
    else relay.unwatch();
  };

  const beat = async (): Promise<DuplicateInstanceError | undefined> => {
    if (!redis.ready || lost !== undefined) return lost;
    try {
      const registered = await registration.register(manager.size);
      if (registered instanceof DuplicateInstanceError) {
        loseName(registered);
        return registered;
      }
      down = false;
      if (registered === "created") publisher.rewriteAll();
      await checkWatchers();
    } catch {
      // The next heartbeat tries again; the registry key outlives a few lost ones.
    }
    return undefined;
  };
  const onReady = (): void => {
    publisher.rewriteAll();
    void beat();
  };
  const onMessage = (channel: string, message: string): void => {
    if (lost !== undefined || !named) return;
    if (channel === keys.control(instance)) control.onMessage(message);
    else if (channel === keys.watch) relay.watch(config.publishMs);
  };
  // Subscribed again (a reconnect, or a failover moved the cluster's slot): a watch announced
  // meanwhile was missed, so whether someone listens to events is asked at once.
  const onSubscribed = (again: boolean): void => {
    if (again && lost === undefined && redis.ready) checkWatchers().catch(() => undefined);
  };
  bus.on("message", onMessage);
  bus.on("subscribed", onSubscribed);
  // Subscribed once; the bus subscribes again by itself after each reconnect or move. The alive
  // channel first: from before the record exists, it tells that this process runs (see takeOver).
  bus.subscribe([keys.alive(registration.nonce), keys.watch]).catch(() => undefined);
  const ready = (await redis.whenReady(JOIN_WAIT_MS)) && (await bus.whenSubscribed(JOIN_WAIT_MS));
  const refused = ready ? await claimName().catch(() => undefined) : undefined;
  if (refused !== undefined) {
    bus.off("message", onMessage);
    bus.off("subscribed", onSubscribed);
    await redis.close();
    throw refused;
  }
  // Redis away at the join (or during it): the control channel is taken once it answers, and the
  // heartbeat registers.
  if (!named) void listen();
  if (!ready) {
    process.emitWarning(
      `proclist fleet: Redis did not answer within ${JOIN_WAIT_MS / 1000} s; ${instance} tracks locally and registers once it does`,
      "ProclistFleetWarning",
    );
  }
  redis.on("ready", onReady);
  publisher.start(config.publishMs);
  void publisher.publish();
  heartbeat = setInterval(() => void beat(), config.heartbeatMs).unref();

  /**
   * Another process holds the name now (this one was silent past its TTL, and the other joined
   * under it): this one stops at once, listening (its kills are the other's, and ids collide) and
   * publishing (the list under the name is the other's), and says so through onError.
   */
  function loseName(error: DuplicateInstanceError): void {
    if (lost !== undefined) return;
    lost = error;
    clearInterval(heartbeat);
    publisher.stop();
    relay.unwatch();
    redis.off("ready", onReady);
    bus.off("message", onMessage);
    bus.off("subscribed", onSubscribed);
    bus.unsubscribe([keys.control(instance), keys.watch, keys.alive(registration.nonce)]);
    try {
      if (config.onError !== undefined) config.onError(error);
      else process.emitWarning(`proclist fleet: ${instance} left the fleet: ${error.message}`, "ProclistFleetWarning");
    } catch {
      // The app's handler must not break the fleet's timers.
    }
  }

  /**
   * Takes the control channel: requests to the name are this process's from then on. Resolves once
   * subscribed, or after JOIN_WAIT_MS (the bus subscribes by itself once Redis answers again).
   */
  async function listen(): Promise<void> {
    named = true;
    const subscribed = bus.subscribe([keys.control(instance)]).catch(() => undefined);
    await Promise.race([subscribed, sleep(JOIN_WAIT_MS, undefined, { ref: false })]);
  }

  /**
   * Registers under the name, or says why not. A name another process holds is taken over when
   * that process is provably gone (Registration.takeOver), and refused otherwise. A free name is
   * listened on before registering, so a kill routed to a listed instance always finds it
   * subscribed; a taken-over one after, so that while the dead holder's record is there its kills
   * find nobody at once (and readers list it gone) rather than this process.
   */
  async function claimName(): Promise<DuplicateInstanceError | undefined> {
    const holder = await registration.holder().catch(() => undefined);
    if (holder !== undefined) {
      const taken = await registration.takeOver(holder, manager.size);
      if (taken instanceof DuplicateInstanceError) return taken;
      await listen();
      return undefined;
    }
    await listen();
    // Redis failing here: the heartbeat registers once it answers again.
    const registered = await registration.register(manager.size).catch(() => undefined);
    return registered instanceof DuplicateInstanceError ? registered : undefined;
  }

  let leaving: Promise<void> | undefined;
  return {
    instance,
    service,
    boot,
    leave: () =>
      (leaving ??= (async () => {
        clearInterval(heartbeat);
        publisher.stop();
        relay.unwatch();
        redis.off("ready", onReady);
        bus.off("message", onMessage);
        bus.off("subscribed", onSubscribed);
        if (redis.ready) await registration.leave().catch(() => undefined);
        await redis.close();
      })()),
  };
}
