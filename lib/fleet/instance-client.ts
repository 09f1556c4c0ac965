import { isFinishedWire, toEvent, toFinishedProc, toHistory, toProc, toStats } from "../client/convert";
import type { EventsOptions } from "../client/events";
import { check, time, type Origin } from "../client/decode";
import { matches } from "../client/filter";
import { killRequest, toKilled } from "../client/kill-request";
import type {
  KillRequestOptions,
  RemoteKilled,
  TaskFilter,
  RemoteEvent,
  RemoteFinishedList,
  RemoteHistory,
  RemoteProc,
  RemoteProcList,
  RemoteStats,
  RemoteTask,
} from "../client/types";
import { CancelForbiddenError, TaskNotFoundError } from "../core/errors";
import type { WireEvent, WireKilled, WireFinishedList, WireHistory, WireProc, WireStats, WireTask } from "../wire/shapes";
import { validateWire } from "../wire/schemas";
import { InstanceRestartedError, InstanceUnreachableError } from "./errors";
import { fleetEvents } from "./events";
import type { FleetOp, FleetReply } from "./protocol";
import type { FleetReader } from "./reader";
import type { WireInstance } from "../wire/shapes";
import { checkFleetProc, readStoredProc } from "./stored-proc";
import { auditedKill, type KillDraft } from "./kill-audit";
import { rungsTaken } from "../http/routes/kill";

/**
 * One instance of a fleet with the HTTP client's surface (`processes`, `task`, `history`, `kill`,
 * `finished`, `stats`), over Redis: `proclist … --redis` treats each instance as it treats an
 * endpoint. Ids are the instance's own; the fleet name of a task is `<instance>/<id>`.
 * Answers are checked against the wire schemas, as the HTTP client checks a server's.
 */
export class InstanceClient {
  private readonly origin: Origin;

  constructor(
    readonly reader: FleetReader,
    /** As the registry last said: refreshed by every `processes()`. */
    public info: WireInstance,
    /** Recorded with kills: `cli:alice@host`. */
    private readonly by: string,
  ) {
    this.origin = { method: "GET", url: `${reader.url}, service ${reader.service}, instance ${info.instance}` };
  }

  get instance(): string {
    return this.info.instance;
  }

  /**
   * The instance's live tasks as it last published them (at most `publishMs` old), read with its
   * state: InstanceUnreachableError "gone since" once it left or its key expired. With a filter,
   * the matches as the instance answers them (its stored matches if it does not answer).
   */
  async processes(filter: TaskFilter = {}): Promise<RemoteProcList> {
    // A filter is applied where the tasks live (see `listed`): only the matches cross Redis.
    if (this.info.state === "up" && Object.keys(queryOf(filter)).length > 0) return (await this.listed(filter)).list;
    const { info, values } = await this.reader.instanceList(this.instance);
    if (info !== undefined) this.info = info;
    this.checkUp();
    return this.listOf(values, filter);
  }

  /**
   * A gone instance's last published tasks (kept as long as it is listed as gone), with when it
   * went: what it was running when it died. Undefined when the instance is up again.
   */
  async lastTasks(filter: TaskFilter = {}): Promise<{ since: string; list: RemoteProcList } | undefined> {
    const { info, values } = await this.reader.instanceList(this.instance);
    if (info !== undefined) this.info = info;
    if (this.info.state !== "gone") return undefined;
    return { since: this.info.since, list: this.listOf(values, filter) };
  }

  /**
   * The tasks matching `filter`, selected at the source: an up instance is asked (`op: "list"`)
   * and answers only its matches; a gone one, or one that does not answer, has its stored rows
   * selected inside Redis, and `goneSince` (its last heartbeat) says they are its last tasks.
   * Without a filter, as `processes` and `lastTasks` read it.
   */
  async listed(filter: TaskFilter = {}): Promise<{ list: RemoteProcList; goneSince?: string }> {
    const query = queryOf(filter);
    if (Object.keys(query).length === 0) {
      if (this.info.state === "gone") {
        const last = await this.lastTasks(filter);
        if (last !== undefined) return { list: last.list, goneSince: last.since };
      }
      return { list: await this.processes(filter) };
    }
    if (this.info.state === "up") {
      try {
        const reply = await this.reader.ask(this.instance, "list", { query });
        const procs = (reply.body as { procs?: unknown } | undefined)?.procs;
        if (reply.status === 200 && Array.isArray(procs))
          return {
            list: this.listOf(
              procs.map((p) => checkFleetProc(this.instance, p)),
              filter,
            ),
          };
      } catch (error) {
        if (!(error instanceof InstanceUnreachableError)) throw error;
      }
    }
    const values = await this.reader.storedMatches(this.instance, query);
    if (typeof values === "string") throw new Error(`${this.origin.url}: ${values}`);
    return {
      list: this.listOf(
        values.map((value) => readStoredProc(this.instance, value)),
        filter,
      ),
      goneSince: this.info.since,
    };
  }

  private listOf(values: Buffer[] | (WireProc | undefined)[], filter: TaskFilter): RemoteProcList {
    const procs: WireProc[] = [];
    for (const value of values) {
      // A value that is not a task of this instance (not written by proclist) is skipped.
      const proc = Buffer.isBuffer(value) ? readStoredProc(this.instance, value) : value;
      if (proc !== undefined) procs.push(proc);
    }
    procs.sort((a, b) => (a.procTime < b.procTime ? -1 : a.procTime > b.procTime ? 1 : 0));
    const body = check<{ procs: WireProc[]; serverTime: string }>(
      this.origin,
      { procs, serverTime: new Date().toISOString() },
      validateWire.procList,
    );
    const out = body.procs.map((p, i) => this.local(toProc(this.origin, p, `procs.${i}`))).filter((p) => matches(p, filter));
    return { procs: out, serverTime: time(this.origin, body.serverTime, "serverTime") };
  }

  async task(id: string): Promise<RemoteTask> {
    const body = check<WireTask>(this.origin, await this.ask("task", id), validateWire.task);
    const proc = isFinishedWire(body.proc) ? toFinishedProc(this.origin, body.proc, "proc") : toProc(this.origin, body.proc, "proc");
    return { proc: this.local(proc), running: body.running, serverTime: time(this.origin, body.serverTime, "serverTime") };
  }

  async history(id: string): Promise<RemoteHistory> {
    return toHistory(this.origin, check<WireHistory>(this.origin, await this.ask("history", id), validateWire.history));
  }

  /**
   * Routes the kill to this instance; resolves once it accepted, forced once the ladder is over
   * (see `ProclistClient.kill`). TaskNotFoundError, CancelForbiddenError, InstanceUnreachableError.
   */
  async kill(id: string, options?: string | KillRequestOptions): Promise<RemoteKilled> {
    const { message, force, graceMs, boot } =
      typeof options === "object" && options !== null
        ? options
        : { message: options, force: undefined, graceMs: undefined, boot: undefined };
    // Checked as the HTTP client checks them; the instance checks them again.
    killRequest(options);
    const fields = {
      id,
      by: this.by,
      ...(message === undefined ? {} : { message }),
      ...(force === true ? { force, ...(graceMs === undefined ? {} : { graceMs }) } : {}),
      ...(boot === undefined ? {} : { boot }),
    };
    const fleetId = `${this.instance}/${id}`;
    // Read beside the kill, for its audit entry (as serveFleet does): the list may drop the task once it has ended.
    const naming = this.reader.taskName(this.instance, id);
    const draft: KillDraft = {
      action: force === true ? "force" : "kill",
      by: this.by,
      id: fleetId,
      ...(message === undefined ? {} : { message }),
    };
    return auditedKill(
      this.reader,
      draft,
      async () => {
        try {
          this.checkUp();
          const body = check<WireKilled>(
            this.origin,
            unwrap(fleetId, await this.reader.ask(this.instance, "kill", fields)),
            validateWire.killed,
          );
          return toKilled(id, body);
        } finally {
          const name = await naming;
          if (name !== undefined) draft.name = name;
        }
      },
      (killed, entry) => {
        if (killed.force !== undefined) entry.rungs = rungsTaken(killed.force);
      },
    );
  }

  async finished(): Promise<RemoteFinishedList> {
    const body = check<WireFinishedList>(this.origin, await this.ask("finished"), validateWire.finishedList);
    return {
      finished: body.finished.map((p, i) => this.local(toFinishedProc(this.origin, p, `finished.${i}`))),
      serverTime: time(this.origin, body.serverTime, "serverTime"),
    };
  }

  async stats(): Promise<RemoteStats> {
    return toStats(this.origin, check<WireStats>(this.origin, await this.ask("stats"), validateWire.stats));
  }

  /**
   * Follows this instance's task events through Redis (relayed while someone listens), until the
   * signal aborts. At most 10,000 events wait for the reader; past that the oldest are dropped.
   */
  async *events(options: EventsOptions = {}): AsyncGenerator<RemoteEvent, void, undefined> {
    this.checkUp();
    const { signal } = options;
    const queue: RemoteEvent[] = [];
    let wake: (() => void) | undefined;
    const prefix = this.instance + "/";
    const push = (event: RemoteEvent) => {
      if (queue.push(event) > 10_000) queue.shift();
      wake?.();
    };
    // The instance's relay overflowed: what this reader knew of its tasks may be stale.
    const source = fleetEvents(this.reader, () => push({ type: "reset", ts: Date.now(), reason: "events were lost upstream" }));
    const stop = source.subscribe((event) => {
      if (!event.id.startsWith(prefix)) return;
      const local = event.id.slice(prefix.length);
      if ((options.id !== undefined && local !== options.id) || (options.name !== undefined && event.name !== options.name)) return;
      let remote: ReturnType<typeof toEvent>;
      try {
        remote = toEvent(this.origin, JSON.parse(event.text.slice(event.text.indexOf("data: ") + 6)) as WireEvent);
      } catch {
        return; // an event not of the wire's shape (Redis is shared): skipped, as the fleet's reader skips it
      }
      if (remote.type === "start") this.local(remote.proc);
      else if (remote.type !== "reset") remote.id = local;
      push(remote);
    });
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort, { once: true });
    options.onConnect?.();
    try {
      while (signal?.aborted !== true) {
        const next = queue.shift();
        if (next !== undefined) yield next;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      stop();
    }
  }

  private checkUp(): void {
    if (this.info.state === "gone")
      throw new InstanceUnreachableError(this.instance, `is gone since ${this.info.since}`, false, Date.parse(this.info.since));
  }

  private async ask(op: Exclude<FleetOp, "kill">, id?: string): Promise<unknown> {
    this.checkUp();
    return unwrap(`${this.instance}/${id ?? ""}`, await this.reader.ask(this.instance, op, id === undefined ? {} : { id }));
  }

  /** The instance's own ids (the fleet's are `<instance>/<id>`). */
  private local<T extends RemoteProc>(proc: T): T {
    const prefix = this.instance + "/";
    if (proc.id.startsWith(prefix)) proc.id = proc.id.slice(prefix.length);
    if (proc.parent?.startsWith(prefix)) proc.parent = proc.parent.slice(prefix.length);
    return proc;
  }
}

/** An instance's answer: the body, or the error its status stands for. */
export function unwrap(fleetId: string, reply: FleetReply): unknown {
  if (reply.status === 200) return reply.body;
  if (reply.status === 404) throw new TaskNotFoundError(fleetId);
  if (reply.status === 403) throw new CancelForbiddenError(fleetId);
  if (reply.status === 410) throw new InstanceRestartedError(reply.error ?? `${fleetId}: the instance restarted since`);
  throw new Error(`${fleetId}: ${reply.error ?? `status ${reply.status}`}`);
}

/** A task filter as the list query an instance checks (`name`, `status`, `attr.<k>`, `waiting`). */
function queryOf(filter: TaskFilter): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  const put = (key: string, value: string | readonly string[] | undefined) => {
    if (value !== undefined) query[key] = typeof value === "string" ? value : [...value];
  };
  put("name", filter.name);
  put("status", filter.status);
  for (const [key, value] of Object.entries(filter.attrs ?? {})) put(`attr.${key}`, value);
  put("waiting", filter.waiting);
  return query;
}
