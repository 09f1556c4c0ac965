import type { ValidateFunction } from "ajv";
import { CancelForbiddenError, TaskNotFoundError } from "../core/errors";
import { optionChecker, type Checker } from "../schema/validation";
import type { AuditEntry } from "../audit/entry";
import type {
  WireAuditList,
  WireKilled,
  WireKilledWhere,
  WireFinishedList,
  WireHistory,
  WireProcList,
  WireProfileAnswer,
  WireFleetProfileAnswer,
  WireStats,
  WireTask,
} from "../wire/shapes";
import { validateWire } from "../wire/schemas";
import { isFinishedWire, toFinishedProc, toHistory, toProc, toProfile, toProfiles, toStats } from "./convert";
import { decode, time, type Origin } from "./decode";
import { parseEndpoint, type Endpoint } from "./endpoint";
import { idPath } from "./id-path";
import { AuthenticationError, HttpStatusError, NotProclistApiError, TransportError } from "./errors";
import { eventStream, type EventsOptions } from "./events";
import { matches, toQuery } from "./filter";
import { fetchText } from "./text-request";
import { killRequest, toKilled } from "./kill-request";
import { forceFields } from "../wire/force";
import type {
  KillRequestOptions,
  RemoteKilled,
  TaskFilter,
  RemoteKilledWhere,
  RemoteEvent,
  RemoteFinishedList,
  RemoteHistory,
  RemoteProcList,
  RemoteProfile,
  RemoteProfiles,
  RemoteStats,
  RemoteTask,
} from "./types";

/** Options of `new ProclistClient()`. */
export interface ClientOptions {
  /** Sent as `Authorization: Bearer <token>` to servers started with a token. */
  token?: string | undefined;
  /** How long one request may take, connecting and reading included, in ms. Default 5,000. */
  timeoutMs?: number | undefined;
}

const checkOptions: Checker<ClientOptions> = optionChecker<ClientOptions>(
  {
    type: "object",
    additionalProperties: false,
    properties: {
      token: { type: "string", minLength: 1, pattern: "^[\\x21-\\x7e]+$" },
      timeoutMs: { type: "number", exclusiveMinimum: 0, maximum: 2_147_483_647 },
    },
  },
  "client option",
);

/** Routes the original Go server does not have: a 404 or 405 there means "not offered", not "no such task". */
const NOT_OFFERED =
  "this route is a proclist addition; the server may be an original Go pm, which serves only /procs/ and /procs/<id>/history";

interface Expect {
  validate?: ValidateFunction;
  /** The task id in the path: a 404 is then TaskNotFoundError. */
  id?: string;
  /** A DELETE: a 403 is then CancelForbiddenError, unless the server names another reason. */
  kill?: boolean;
  proclistOnly?: boolean;
}

/**
 * A typed client of a proclist (or original Go pm) HTTP API. Every answer is checked against the
 * shared wire schemas: a server answering garbage raises InvalidResponseError naming the URL and
 * the field, never an object with missing fields.
 *
 * @example
 * const client = new ProclistClient("127.0.0.1:8081", { token: process.env.PROCLIST_TOKEN });
 * for (const proc of (await client.processes({ status: "reading" })).procs) console.log(proc.id);
 * await client.kill("req-42", "stuck for an hour");
 */
export class ProclistClient {
  readonly endpoint: Endpoint;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly hasToken: boolean;

  constructor(endpoint: string | Endpoint, options: ClientOptions = {}) {
    checkOptions(options);
    this.endpoint = typeof endpoint === "string" ? parseEndpoint(endpoint) : endpoint;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.hasToken = options.token !== undefined;
    this.headers = { accept: "application/json", "user-agent": "proclist-client" };
    if (options.token !== undefined) this.headers.authorization = `Bearer ${options.token}`;
  }

  /** The base URL requests go to. */
  get url(): string {
    return this.endpoint.url;
  }

  /** The live tasks (`GET /procs/`), narrowed by `filter` on the server and again here. */
  async processes(filter: TaskFilter = {}): Promise<RemoteProcList> {
    const { origin, body } = await this.call<WireProcList>("GET", `/procs/${toQuery(filter)}`, { validate: validateWire.procList });
    const procs = body.procs.map((p, i) => toProc(origin, p, `procs.${i}`)).filter((p) => matches(p, filter));
    return { procs, serverTime: time(origin, body.serverTime, "serverTime") };
  }

  /** One task, live or recently finished (`GET /procs/:id`). Throws TaskNotFoundError. */
  async task(id: string): Promise<RemoteTask> {
    const { origin, body } = await this.call<WireTask>("GET", `/procs/${idPath(id)}`, {
      validate: validateWire.task,
      id,
      proclistOnly: true,
    });
    const proc = isFinishedWire(body.proc) ? toFinishedProc(origin, body.proc, "proc") : toProc(origin, body.proc, "proc");
    return { proc, running: body.running, serverTime: time(origin, body.serverTime, "serverTime") };
  }

  /** A task's timeline (`GET /procs/:id/history`). Throws TaskNotFoundError. */
  async history(id: string): Promise<RemoteHistory> {
    const { origin, body } = await this.call<WireHistory>("GET", `/procs/${idPath(id)}/history`, { validate: validateWire.history, id });
    return toHistory(origin, body);
  }

  /**
   * Asks the server to cancel a task (`DELETE /procs/:id`), with a message, or options: with
   * `force`, the server forces what still runs after `graceMs` and answers once that is over,
   * saying how far it got (`force` in the answer); the request's timeout is extended by the grace.
   * Without it, resolves once the server accepted; the task ends when it notices.
   * Throws TaskNotFoundError or CancelForbiddenError.
   * @example const { force } = await client.kill("req-42", { message: "stuck", force: true, graceMs: 2000 });
   */
  async kill(id: string, options?: string | KillRequestOptions): Promise<RemoteKilled> {
    const kill = killRequest(options);
    // The original answers an empty 200, proclist a JSON body; only the latter can be checked.
    const { body } = await this.call<WireKilled | undefined>(
      "DELETE",
      `/procs/${idPath(id)}${kill.boot === undefined ? "" : `?boot=${kill.boot}`}`,
      { validate: validateWire.killed, id, kill: true },
      kill.body,
      kill.extraMs,
    );
    return body === undefined ? { id } : toKilled(id, body);
  }

  /**
   * Cancels every live task the filter selects (`DELETE /procs/?name=…&status=…&attr.<k>=<v>`),
   * and their descendants; resolves to the ids cancelled and those refused (forbidCancel). An
   * empty filter rejects with a TypeError before anything is sent. From `serveFleet`, ids are
   * `<instance>/<id>` and `unanswered` names the instances whose outcome is unknown.
   */
  async killWhere(filter: TaskFilter, options?: string | KillRequestOptions): Promise<RemoteKilledWhere> {
    const query = toQuery(filter);
    if (query === "") throw new TypeError("killWhere needs a filter (name, status or attrs): an empty one would kill every task");
    const kill = killRequest(options);
    const { body: answer } = await this.call<WireKilledWhere>(
      "DELETE",
      `/procs/${query}`,
      { validate: validateWire.killedWhere, proclistOnly: true },
      kill.body,
      kill.extraMs,
    );
    const { cancelled, refused, omitted, unanswered, forced } = answer;
    return {
      cancelled,
      refused,
      ...(omitted === undefined ? {} : { omitted }),
      ...(unanswered === undefined ? {} : { unanswered }),
      ...(forced === undefined ? {} : { forced: forced.map((f) => ({ id: f.id, ...forceFields(f) })) }),
    };
  }

  /** The recently finished tasks a proclist server keeps (`GET /procs/finished`). */
  async finished(): Promise<RemoteFinishedList> {
    const { origin, body } = await this.call<WireFinishedList>("GET", "/procs/finished", {
      validate: validateWire.finishedList,
      proclistOnly: true,
    });
    return {
      finished: body.finished.map((p, i) => toFinishedProc(origin, p, `finished.${i}`)),
      serverTime: time(origin, body.serverTime, "serverTime"),
    };
  }

  /**
   * What the client's token may do (`GET /whoami`): its label and rights (`["read", "cancel:Reports.*"]`).
   * Undefined from a server without that route (the Go original, older proclist): assume everything.
   */
  async whoami(): Promise<{ label: string; can: string[] } | undefined> {
    try {
      return (await this.call<{ label: string; can: string[] }>("GET", "/whoami", { validate: validateWire.whoami, proclistOnly: true }))
        .body;
    } catch (error) {
      if (
        error instanceof NotProclistApiError ||
        error instanceof TaskNotFoundError ||
        (error instanceof HttpStatusError && error.status === 404)
      )
        return undefined;
      throw error;
    }
  }

  /**
   * The server's audit of kills and refused attempts (`GET /audit`, needs the `audit` right),
   * newest first: `since` (epoch ms or RFC 3339) and `limit` (default 100) narrow it.
   */
  async audit(query: { since?: number | string; limit?: number } = {}): Promise<{ entries: AuditEntry[]; serverTime: number }> {
    const params = new URLSearchParams();
    if (query.since !== undefined) params.set("since", String(query.since));
    if (query.limit !== undefined) params.set("limit", String(query.limit));
    const path = params.size === 0 ? "/audit" : `/audit?${params}`;
    const { origin, body } = await this.call<WireAuditList>("GET", path, { validate: validateWire.auditList, proclistOnly: true });
    return { entries: body.entries, serverTime: time(origin, body.serverTime, "serverTime") };
  }

  /** Counters and latencies per task name (`GET /stats`). */
  async stats(): Promise<RemoteStats> {
    const { origin, body } = await this.call<WireStats>("GET", "/stats", { validate: validateWire.stats, proclistOnly: true });
    return toStats(origin, body);
  }

  /**
   * Profiles the server's CPU for `seconds` (1–60) and gives the CPU time per task name and task
   * (`GET /procs/profile`); waits that long plus the client's timeout. A profile already running
   * there is an HttpStatusError 409 whose message says when it ends.
   */
  async profile(seconds: number): Promise<RemoteProfile> {
    const { origin, body } = await this.askProfile<WireProfileAnswer>(seconds, validateWire.profile);
    return toProfile(origin, body);
  }

  /**
   * `profile`, of a server or of a fleet's API alike: a fleet's API (serveFleet) profiles every up
   * instance at once and answers each one's table under its instance's name, or its status and
   * error (409 already profiling, 502, 504); a server's answer is the one entry, with no instance.
   */
  async profiles(seconds: number): Promise<RemoteProfiles> {
    const { origin, body } = await this.askProfile<WireProfileAnswer | WireFleetProfileAnswer>(seconds, validateWire.anyProfile);
    return toProfiles(origin, body);
  }

  /** `GET /procs/profile?seconds=N`, waiting that long past the client's timeout, the answer checked by `validate`. */
  private askProfile<T>(seconds: number, validate: ValidateFunction) {
    const path = `/procs/profile?seconds=${encodeURIComponent(String(seconds))}`;
    return this.call<T>("GET", path, { validate, proclistOnly: true }, undefined, seconds * 1000);
  }

  /**
   * Follows the events stream (`GET /procs/events`) as an async iterator; reconnects with backoff
   * after a dropped connection. Ends when the loop breaks or `options.signal` aborts.
   *
   * @example
   * for await (const event of client.events({ signal })) if (event.type === "done") console.log(event.id, event.outcome);
   */
  events(options: EventsOptions = {}): AsyncGenerator<RemoteEvent, void, undefined> {
    return eventStream(
      {
        url: this.url + "/procs/events",
        headers: this.headers,
        timeoutMs: this.timeoutMs,
        refusal: (origin, status, text) => this.refusal(origin, status, text, { proclistOnly: true }),
      },
      options,
    );
  }

  private async call<T>(
    method: "GET" | "DELETE",
    path: string,
    expect: Expect,
    body?: string,
    extraMs = 0,
  ): Promise<{ origin: Origin; body: T }> {
    const url = this.url + path;
    const origin: Origin = { method, url };
    const headers = body === undefined ? this.headers : { ...this.headers, "content-type": "application/json" };
    const answer = await fetchText({ method, url, headers, body, timeoutMs: this.timeoutMs + extraMs });
    if (answer.status < 200 || answer.status > 299) {
      const refusal = this.refusal(origin, answer.status, answer.text, expect);
      // A plain-text 404 is the Go original's unknown task or route, and also what many servers
      // answer for any path (koa's `Not Found`, express's sendStatus): only the Go original also lists tasks.
      if (
        answer.status === 404 &&
        (refusal instanceof TaskNotFoundError || refusal instanceof HttpStatusError) &&
        !answer.text.trimStart().startsWith("{") &&
        !(await this.listsTasks())
      )
        throw new NotProclistApiError(method, url, this.url, answer.status, serverMessage(answer.text));
      throw refusal;
    }
    if (expect.kill === true && answer.text.trim() === "") return { origin, body: undefined as T };
    return { origin, body: decode<T>(origin, answer.text, expect.validate!) };
  }

  /** Whether the server answers the task list: a server of either kind does, whatever else it refuses. */
  private async listsTasks(): Promise<boolean> {
    try {
      await this.call<WireProcList>("GET", "/procs/", { validate: validateWire.procList });
      return true;
    } catch (error) {
      // Unreachable now: what it said before stands.
      return error instanceof TransportError;
    }
  }

  private refusal(origin: Origin, status: number, text: string, expect: Expect): Error {
    const message = serverMessage(text);
    if (status === 401) return new AuthenticationError(origin.method, origin.url, message, this.hasToken);
    if (status === 404) {
      const kind = notFoundKind(text, message);
      if (kind === "task" && expect.id !== undefined) return new TaskNotFoundError(expect.id);
      // The Go original has neither proclist's added routes nor its JSON errors.
      if (kind !== "other" && expect.proclistOnly === true)
        return new HttpStatusError(origin.method, origin.url, status, message, NOT_OFFERED);
      if (kind !== "go-task" || expect.id === undefined)
        return new NotProclistApiError(origin.method, origin.url, this.url, status, message);
      return new TaskNotFoundError(expect.id);
    }
    if (expect.proclistOnly === true && status === 405) return new HttpStatusError(origin.method, origin.url, status, message, NOT_OFFERED);
    // A 403 on a kill is the task's forbidCancel, unless the server says otherwise: protected mode,
    // or a token without the right (`token "alice" lacks the right "force"`), which keep its words.
    if (status === 403 && expect.kill === true && !refusedForAnotherReason(message)) return new CancelForbiddenError(expect.id!);
    return new HttpStatusError(origin.method, origin.url, status, message);
  }
}

/** A kill's 403 that is not about the task's forbidCancel: protected mode, or a token lacking a right. */
function refusedForAnotherReason(message: string | undefined): boolean {
  return message !== undefined && (message.startsWith("protected mode") || / lacks the right "/.test(message));
}

/**
 * What a 404 says: `task` a proclist server's unknown or ended task (a JSON error `no such task: …`
 * or `task "…" already ended`),
 * `go-task` the Go original's unknown task (its plain `Not Found`), `go-route` the Go original's
 * unknown route (Go's `404 page not found`), `other` anything else: a proclist route 404
 * (`no such route`), or a server that is not an API of either kind.
 */
function notFoundKind(text: string, message: string | undefined): "task" | "go-task" | "go-route" | "other" {
  const json = text.trimStart().startsWith("{");
  if (json)
    return message !== undefined && (message.startsWith("no such task: ") || /^task ".*" already ended/s.test(message)) ? "task" : "other";
  if (message === "Not Found") return "go-task";
  return message === "404 page not found" ? "go-route" : "other";
}

/** The `error` of a JSON error answer, else the first line of a plain-text one (the Go original's `Not Found`). */
function serverMessage(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (validateWire.error(parsed)) return (parsed as { error: string }).error;
  } catch {
    // not JSON: fall through to the text
  }
  const line = text.split("\n")[0].trim();
  return line === "" ? undefined : line.length > 200 ? line.slice(0, 200) + "…" : line;
}
