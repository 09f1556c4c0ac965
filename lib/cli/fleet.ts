import { hostname, userInfo } from "node:os";
import { InvalidArgumentError } from "commander";
import type { Endpoint } from "../client/endpoint";
import { toQuery } from "../client/filter";
import type { KillRequestOptions, TaskFilter, RemoteKilledWhere } from "../client/types";
import { fleetKillWhere } from "../fleet/kill-where";
import { parseFleetId } from "../fleet/fleet-id";
import { InstanceClient } from "../fleet/instance-client";
import { FleetReader } from "../fleet/reader";
import type { WireInstance } from "../wire/shapes";
import type { ConnectionOptions, Target, UnknownInstance } from "./target";
import { terminalSafe } from "./terminal-text";
import { requester } from "../core/killed-by";
import { auditedKill, auditWritten } from "../fleet/kill-audit";
import { rungsTaken } from "../http/routes/kill";

const open = new Set<FleetReader>();

/** Which instances a command wants: the up ones (stats), all known (top waits for some; ls fails without any), or the one of a `<instance>/<id>`. */
export type Wanted = { kind: "up" } | { kind: "all" } | { kind: "listed" } | { kind: "task"; fleetId: string };

/**
 * `--redis`: one target per instance of the service, each with a client that goes through Redis,
 * so every command treats an instance as it treats an endpoint. For a task, also its own id.
 * Loads the fleet code (and ioredis) only here, when asked for.
 */
export async function connectFleet(
  options: ConnectionOptions,
  wanted: Wanted,
): Promise<{ targets: Target[]; id?: string; unknown?: UnknownInstance }> {
  if (options.endpoint.length > 0)
    throw new InvalidArgumentError("--redis and --endpoint cannot be combined: the fleet's instances are found in Redis");
  let task: { instance: string; id: string } | undefined;
  if (wanted.kind === "task") {
    try {
      task = parseFleetId(wanted.fleetId);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  }
  let reader: FleetReader;
  try {
    // Not the package name joinFleet defaults to: the command runs wherever the operator is.
    reader = new FleetReader({ redis: options.redis!, service: options.service ?? "default", timeoutMs: options.timeout });
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  open.add(reader);
  const by = cliRequester();
  const all = await reader.instances();
  if (all.length === 0) {
    const services = (await reader.services()).filter((s) => s !== reader.service);
    const none = `${reader.url}: no instance of service ${terminalSafe(JSON.stringify(reader.service), 200)} in Redis${services.length === 0 ? "" : `; services found: ${services.map((s) => terminalSafe(s, 200)).join(", ")} (choose one with --service)`}`;
    // ls and stats have nothing to show, which is a failure (exit 3, as for an unreachable
    // endpoint); top waits for instances to join, and a task's command says it cannot be found.
    if (wanted.kind === "up" || wanted.kind === "listed") throw new Error(none);
    process.stderr.write(`proclist: ${none}\n`);
  }
  const chosen = all.filter((i) =>
    wanted.kind === "all" || wanted.kind === "listed" ? true : wanted.kind === "up" ? i.state === "up" : i.instance === task!.instance,
  );
  const targets = chosen.map((info) => instanceTarget(reader, info, by));
  if (task === undefined) return { targets };
  return targets.length === 0
    ? {
        targets,
        unknown: {
          where: reader.url,
          why: `no instance ${JSON.stringify(task.instance)} in service ${JSON.stringify(reader.service)}; proclist ls --redis lists them`,
        },
      }
    : { targets, id: task.id };
}

/**
 * `top --redis`: the instances of the targets' fleet that joined since the targets were made
 * (one registry read), as new targets. Instances already there refresh their own state as they are polled.
 */
export async function joinedSince(targets: readonly Target[], options: ConnectionOptions): Promise<Target[]> {
  const reader =
    targets.length > 0 ? (targets[0].client as InstanceClient).reader : [...open].find((r) => r.service === (options.service ?? "default"));
  if (reader === undefined) return [];
  const known = new Set(targets.map((t) => (t.client as InstanceClient).instance));
  return (await reader.instances()).filter((info) => !known.has(info.instance)).map((info) => instanceTarget(reader, info, cliRequester()));
}

function instanceTarget(reader: FleetReader, info: WireInstance, by: string): Target {
  return { endpoint: instanceEndpoint(reader, info.instance), client: new InstanceClient(reader, info, by) };
}

/**
 * `kill --all --redis`: the filter goes to every up instance of the fleet the targets belong to
 * (one aggregate, as serveFleet's `DELETE /procs/?…`); ids come back as `<instance>/<id>`.
 */
export async function killWhereInFleet(
  targets: readonly Target[],
  filter: TaskFilter,
  kill: KillRequestOptions,
): Promise<{ target: Target; value: RemoteKilledWhere }> {
  const { reader } = targets[0].client as InstanceClient;
  const query = Object.fromEntries(new URLSearchParams(toQuery(filter).slice(1)));
  const by = cliRequester();
  const draft = { action: "kill-where" as const, by, filter: query, ...(kill.message === undefined ? {} : { message: kill.message }) };
  const value = await auditedKill(
    reader,
    draft,
    () => fleetKillWhere(reader, query, { message: kill.message, force: kill.force === true, graceMs: kill.graceMs }, by),
    (killed, entry) => {
      entry.cancelled = killed.cancelled;
      entry.refused = killed.refused;
      if (killed.forced !== undefined) entry.rungs = killed.forced.map((result) => ({ id: result.id, rungs: rungsTaken(result) }));
    },
  );
  return {
    target: { endpoint: { url: `${reader.url}#${reader.service}`, label: `service ${reader.service}` }, client: targets[0].client },
    value,
  };
}

/**
 * Who asked, as recorded with a kill from the command: `cli:<user>@<host>`, the user being the
 * system account the command runs as (`cli@<host>` where it has no name, as for a container's
 * uid without a passwd entry). `--redis` speaks to Redis itself, so this is what the operator's
 * machine says, not a proof: scoped, proven identities come through serveFleet's tokens.
 */
function cliRequester(): string {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER || process.env.LOGNAME || undefined;
  }
  return requester(user ? `cli:${user.slice(0, 64)}` : "cli", hostname());
}

/** Closes the Redis connections the command opened, so the process can exit. */
export async function closeFleets(): Promise<void> {
  // The kills' audit entries go to Redis first: the command is about to exit.
  await Promise.all([...open].map(async (reader) => (await auditWritten(reader, reader.timeoutMs), await reader.close())));
  open.clear();
}

function instanceEndpoint(reader: FleetReader, instance: string): Endpoint {
  return { url: `${reader.url}#${reader.service}/${instance}`, label: terminalSafe(instance, 200) };
}
