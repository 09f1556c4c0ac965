import { CancelForbiddenError, TaskNotFoundError } from "../core/errors";
import type { ProcessManager } from "../core/manager";
import { Grant } from "../http/access/rights";
import { HttpError, toHttpError } from "../http/responses/http-error";
import { fleetProcJson } from "../http/lists/entries";
import { serverTime } from "../http/responses/respond";
import { historyJson } from "../http/routes/history";
import { killTask } from "../http/routes/kill";
import { statsJson } from "../http/routes/stats";
import { DEFAULT_PROFILE_SECONDS } from "../http/routes/profile";
import { formatTime } from "../http/responses/time";
import { profileCpu, ProfileBusyError } from "../profile/profiler";
import { wireProfile } from "../profile/wire";
import type { FleetKeys } from "./keys";
import { killWhereOnInstance } from "./kill-where";
import { listOnInstance } from "./instance-list";
import { DEADLINE_SLACK_MS, readMessage, validateRequest, type FleetRequest } from "./protocol";
import type { FleetConnection } from "./redis";
import { requester } from "../core/killed-by";
import { restartedSince } from "./boot";

/** How long an answer is sent again while no caller hears it (a cluster's subscriber moving after a failover). */
const REPLY_RETRY_MS = 2_000;
/** Request ids remembered to take a repeated request once. */
const SEEN_MAX = 10_000;

/**
 * The instance's side of kill routing: listens on its own control channel and answers each
 * request (kill, killWhere, list, task, history, finished, stats, profile) on the caller's reply channel
 * (a `cancel`, which stops the caller's profile named by its id, is not answered). Requests are
 * checked and bounded (anyone with write access to Redis can send them); a malformed one is
 * ignored. An answer that cannot be sent is lost: the caller then times out, it never guesses.
 */
export class ControlServer {
  constructor(
    private readonly redis: FleetConnection,
    private readonly keys: FleetKeys,
    private readonly instance: string,
    private readonly manager: ProcessManager,
    /** Resolves true when another process holds this instance's name: then nothing is answered. */
    private readonly taken: () => Promise<boolean>,
    /** This process's incarnation: a request naming another one is refused (410), never carried out. */
    private readonly boot: string,
    private readonly startedAt?: string,
  ) {}

  /** Requests already taken, by id, oldest first: one sent twice (retried across a failover) is carried out once. */
  private readonly seen = new Set<string>();
  /** The profiles running for callers, by request id: what a `cancel` from the same caller stops. */
  private readonly profiles = new Map<string, { stop(caller: string): void }>();

  /** Handles one message of the control channel. */
  onMessage(text: string): void {
    const request = readMessage(text, validateRequest);
    if (request === undefined) return;
    if (this.seen.has(request.rid)) return;
    this.seen.add(request.rid);
    if (this.seen.size > SEEN_MAX) this.seen.delete(this.seen.values().next().value!);
    // Its caller gave up on it: an answer would reach no one, and a kill would come as a surprise.
    if (request.deadline !== undefined && Date.now() > request.deadline + DEADLINE_SLACK_MS) return;
    // A process frozen past its TTL may still be subscribed while another holds the name (and its
    // ids): a request is for the holder, so it is checked before anything is done or answered.
    void this.taken().then(
      (taken) => {
        if (taken) return;
        if (request.boot !== undefined && request.boot !== this.boot)
          return this.send(
            request,
            JSON.stringify({
              rid: request.rid,
              status: 410,
              error: restartedSince(this.instance, request.boot, this.boot, this.startedAt),
            }),
          );
        if (request.op === "profile") void this.profile(request).then((reply) => this.send(request, reply));
        else if (request.op === "cancel") this.profiles.get(request.id ?? "")?.stop(request.caller);
        else this.answer(request);
      },
      () => undefined, // Redis away: the caller times out, nothing is done
    );
  }

  private send(request: FleetRequest, reply: string): void {
    // On a cluster the caller's subscriber may be moving to a new master: the answer is sent again until heard (the caller takes it once).
    if (this.redis.ready) this.redis.bus.publishHeard(this.keys.reply(request.caller), reply, REPLY_RETRY_MS).catch(() => undefined);
  }

  /**
   * Profiles this instance's CPU for the seconds asked; 409 while a profile runs here already. Its
   * caller's `cancel` naming it (its client went away) stops it early, as the HTTP route does.
   */
  private async profile(request: FleetRequest): Promise<string> {
    const stop = new AbortController();
    this.profiles.set(request.rid, { stop: (caller) => caller === request.caller && stop.abort() });
    try {
      const { table } = await profileCpu(request.seconds ?? DEFAULT_PROFILE_SECONDS, stop.signal);
      return `{"rid":${JSON.stringify(request.rid)},"status":200,"body":{"profile":${JSON.stringify(wireProfile(table, formatTime))},"serverTime":"${serverTime()}"}}`;
    } catch (error) {
      const status = error instanceof ProfileBusyError ? 409 : 500;
      return JSON.stringify({
        rid: request.rid,
        status,
        error: status === 409 ? (error as Error).message : `internal error on instance ${this.instance}`,
      });
    } finally {
      this.profiles.delete(request.rid);
    }
  }

  /** Carries out a request and publishes its answer; a forced kill answers once its ladder is over. */
  private answer(request: FleetRequest): void {
    let body: string | Promise<string>;
    try {
      body = this.body(request);
    } catch (error) {
      return this.send(request, this.failure(request, error));
    }
    if (typeof body === "string") this.send(request, this.success(request, body));
    else
      body.then(
        (text) => this.send(request, this.success(request, text)),
        (error: unknown) => this.send(request, this.failure(request, error)),
      );
  }

  private success(request: FleetRequest, body: string): string {
    return `{"rid":${JSON.stringify(request.rid)},"status":200,"body":${body}}`;
  }

  private failure(request: FleetRequest, error: unknown): string {
    const http = toHttpError(error);
    return JSON.stringify({
      rid: request.rid,
      status: http.status,
      error: http.status === 500 ? `internal error on instance ${this.instance}` : http.message,
    });
  }

  private body(request: FleetRequest): string | Promise<string> {
    const shown = `${this.instance}/${request.id ?? ""}`;
    switch (request.op) {
      case "kill":
        try {
          const kill = {
            message: request.message === "" ? undefined : request.message,
            force: request.force === true,
            graceMs: request.graceMs,
          };
          return killTask(
            this.manager,
            needId(request, shown),
            kill,
            request.by ?? requester("unknown", this.instance),
            shown,
            scopeOf(request),
          );
        } catch (error) {
          throw error instanceof CancelForbiddenError ? new CancelForbiddenError(shown) : error;
        }
      case "killWhere":
        return killWhereOnInstance(this.manager, request, request.by ?? requester("unknown", this.instance), scopeOf(request));
      case "list":
        return listOnInstance(this.manager, request.query ?? {}, this.instance, this.boot);
      case "task": {
        const task = this.manager.get(needId(request, shown));
        if (task === undefined) throw new TaskNotFoundError(shown);
        return `{"proc":${fleetProcJson(task, this.instance, this.boot)},"running":${task.running},"serverTime":"${serverTime()}"}`;
      }
      case "history": {
        const task = this.manager.get(needId(request, shown));
        if (task === undefined) throw new TaskNotFoundError(shown);
        return historyJson(task);
      }
      case "finished":
        return `{"finished":[${this.manager
          .finishedTasks()
          .map((task) => fleetProcJson(task, this.instance, this.boot))
          .join(",")}],"serverTime":"${serverTime()}"}`;
      case "stats":
        return statsJson(this.manager);
      case "profile":
      case "cancel":
        throw new HttpError(500, `a ${request.op} is answered on its own`);
    }
  }
}

/** The kill rights the caller sent (its token's, when limited to names); a malformed list is a 400. */
function scopeOf(request: FleetRequest): Grant | undefined {
  if (request.can === undefined) return undefined;
  // `by` is `<label>@fleet-api`: a refusal names the token by its label, as serve() does.
  const by = request.by ?? "";
  const label = by.includes("@") ? by.slice(0, by.lastIndexOf("@")) : by;
  try {
    return Grant.parse(label, request.can, "can");
  } catch (error) {
    throw new HttpError(400, (error as Error).message);
  }
}

function needId(request: FleetRequest, shown: string): string {
  if (request.id === undefined) throw new TaskNotFoundError(shown);
  return request.id;
}
