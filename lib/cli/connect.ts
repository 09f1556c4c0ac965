import { Command, InvalidArgumentError, Option } from "commander";
import { ProclistClient } from "../client/client";
import { DEFAULT_ENDPOINT, parseEndpoints, type Endpoint } from "../client/endpoint";
import { MAX_GRACE_MS } from "../core/force";
import type { ConnectionOptions, TaskSource, Target, UnknownInstance } from "./target";

export type { ConnectionOptions, TaskSource, Target } from "./target";

/** Adds `-e/--endpoint` (repeatable, comma lists), `--token` (or PROCLIST_TOKEN) and `--timeout`. */
export function withConnection(command: Command): Command {
  return command
    .addOption(
      new Option("-e, --endpoint <endpoints>", "host:port or URL of a proclist API; repeat it or give a comma list (or PROCLIST_ENDPOINTS)")
        .default([], DEFAULT_ENDPOINT)
        .argParser(collect),
    )
    .addOption(new Option("--token <token>", "bearer token for servers started with one").env("PROCLIST_TOKEN"))
    .addOption(new Option("--timeout <ms>", "give up on a request after this many ms").default(5000).argParser(positiveInt))
    .addOption(
      new Option(
        "--redis <url>",
        "a fleet on Redis (host:port, redis://[user:password@]host:port, rediss:// for TLS; any node of a Redis Cluster) instead of endpoints",
      )
        .env("PROCLIST_REDIS")
        .argParser(redisUrl),
    )
    .addOption(
      new Option("--service <name>", 'with --redis: the service whose instances to reach (default: "default")').env("PROCLIST_SERVICE"),
    );
}

/** Whether the command reaches a fleet through Redis (`--redis` or PROCLIST_REDIS, not empty) rather than endpoints. */
export function onFleet(options: ConnectionOptions): boolean {
  return options.redis !== undefined && options.redis !== "";
}

/** What a target is called in tables and JSON: an endpoint, or a fleet's instance. */
export function whereOf(options: ConnectionOptions): "endpoint" | "instance" {
  return onFleet(options) ? "instance" : "endpoint";
}

/** The targets of a command that reads every instance or endpoint (ls, stats: up instances only). */
export async function connectAll(options: ConnectionOptions, fleet: "up" | "all" | "listed" = "up"): Promise<Target[]> {
  if (!onFleet(options)) return connect(options);
  const { connectFleet } = loadFleet();
  return (await connectFleet(options, { kind: fleet })).targets;
}

/** Clients for the endpoints asked for; a malformed endpoint is a usage error. */
export function connect(options: ConnectionOptions): Target<ProclistClient>[] {
  let endpoints: Endpoint[];
  try {
    // PROCLIST_ENDPOINTS stands in for -e when none is given (and is not read with --redis).
    const env = process.env.PROCLIST_ENDPOINTS;
    endpoints = parseEndpoints(options.endpoint.length === 0 && env !== undefined && env.trim() !== "" ? [env] : options.endpoint);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  // An empty PROCLIST_TOKEN means none, as shells often export empty variables.
  const token = options.token === "" ? undefined : options.token;
  return endpoints.map((endpoint) => ({ endpoint, client: new ProclistClient(endpoint, { token, timeoutMs: options.timeout }) }));
}

/** What each endpoint answered: a value (and when it arrived, `performance.now()`) or the error, in the order the endpoints were given. */
export type Outcome<T> = { target: Target; ok: true; value: T; at: number } | { target: Target; ok: false; error: unknown };

/**
 * The targets of a command about one task, and the id to ask them for: with `--redis`, the
 * instance named by `<instance>/<id>` and the task's own id; `unknown` when no such instance exists.
 */
export async function connectFor(
  options: ConnectionOptions,
  id: string,
): Promise<{ targets: Target[]; id: string; unknown?: UnknownInstance }> {
  if (!onFleet(options)) return { targets: connect(options), id };
  const { connectFleet } = loadFleet();
  const found = await connectFleet(options, { kind: "task", fleetId: id });
  return { targets: found.targets, id: found.id ?? id, ...(found.unknown === undefined ? {} : { unknown: found.unknown }) };
}

/** Asks every endpoint at once and waits for all of them: one slow or dead endpoint costs one timeout, not one each. */
export function askAll<T>(targets: Target[], ask: (client: TaskSource) => Promise<T>): Promise<Outcome<T>[]> {
  return Promise.all(
    targets.map((target) =>
      ask(target.client).then(
        (value): Outcome<T> => ({ target, ok: true, value, at: performance.now() }),
        (error: unknown): Outcome<T> => ({ target, ok: false, error }),
      ),
    ),
  );
}

/** `kill --all --redis`: the filter sent to every up instance of the targets' fleet (see fleet.ts). */
export function killWhereInFleet(
  ...args: Parameters<typeof import("./fleet").killWhereInFleet>
): ReturnType<typeof import("./fleet").killWhereInFleet> {
  return loadFleet().killWhereInFleet(...args);
}

/** `top --redis`: the instances that joined the fleet since `targets` were made, as new targets (see fleet.ts). */
export function joinedSince(...args: Parameters<typeof import("./fleet").joinedSince>): ReturnType<typeof import("./fleet").joinedSince> {
  return loadFleet().joinedSince(...args);
}

let fleet: typeof import("./fleet") | undefined;

/** The fleet code, loaded only for `--redis` (it is what loads ioredis). */
function loadFleet(): typeof import("./fleet") {
  return (fleet ??= require("./fleet") as typeof import("./fleet"));
}

/** Closes what the command opened (Redis connections of `--redis`), so the process can exit. */
export async function closeConnections(): Promise<void> {
  await fleet?.closeFleets();
}

/** commander's accumulator for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * `--redis` as a URL: `host:port`, `:port` or a bare port (loopback) become `redis://…`, as `-e`
 * takes `host:port` for `http://`; a URL with a scheme is kept (the fleet checks it), empty means none.
 */
export function redisUrl(value: string): string {
  const text = value.trim();
  if (text === "" || /^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  return /^:?\d+$/.test(text) ? `redis://127.0.0.1:${text.replace(":", "")}` : `redis://${text}`;
}

/** commander's parser for a positive whole number; anything else is a usage error quoting the value. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive whole number, got ${JSON.stringify(value)}`);
  return n;
}

/** commander's parser for `--grace`: `2s`, `500ms`, `1.5s`, `1m` or `0`, as whole milliseconds. */
export function graceMs(value: string): number {
  return durationMs("--grace", "a grace", value, MAX_GRACE_MS, " (at most 1 hour, in whole ms)");
}

/** commander's parser for `--older-than`: `30s`, `500ms`, `1.5s`, `5m`, `2h` or `0`, as whole milliseconds. */
export function ageMs(value: string): number {
  return durationMs("--older-than", "an age", value, Number.MAX_SAFE_INTEGER, " (in whole ms)");
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration option's value in whole milliseconds: a number and its unit (ms, s, m, h), or a bare
 * 0. A bare number other than 0 is refused, as `30` could mean seconds or milliseconds.
 */
function durationMs(option: string, what: string, value: string, maxMs: number, bound: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  const ms = match === null ? NaN : Number(match[1]) * UNIT_MS[match[2] ?? "ms"];
  if (match !== null && match[2] === undefined && ms !== 0)
    throw new InvalidArgumentError(`give ${option} a unit: ${value}s or ${value}ms`);
  if (!Number.isInteger(ms) || ms > maxMs)
    throw new InvalidArgumentError(`expected ${what} such as 2s, 500ms or 0${bound}, got ${JSON.stringify(value)}`);
  return ms;
}
