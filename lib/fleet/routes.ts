import { validateWire } from "../wire/schemas";
import { rungsTaken } from "../http/routes/kill";
import type { ServerResponse } from "node:http";
import { CancelForbiddenError, TaskNotFoundError } from "../core/errors";
import { handle, type ApiRequest, type Handler } from "../http/responses/handler";
import { HttpError } from "../http/responses/http-error";
import { checkQuery, decodeId, readKill } from "../http/inputs/checks";
import { checkKillQuery, killedWhereJson } from "../http/routes/kill-where";
import { killRequester } from "../http/access/kill-access";
import { grantOf, requireSomeKill } from "../http/access/rights";
import type { HttpConfig } from "../http/options";
import { sendJsonText, serverTime } from "../http/responses/respond";
import type { WireKilled, WireFinishedProc, WireNameStats } from "../wire/shapes";
import { InstanceRestartedError, InstanceUnreachableError, RedisUnavailableError } from "./errors";
import { restartedSince } from "./boot";
import { parseFleetId, type FleetTaskId } from "./fleet-id";
import { fleetKillWhere } from "./kill-where";
import { noteSkipped, readProcs, type FleetSkipped } from "./list";
import { readStoredProc } from "./stored-proc";
import { attrText } from "../client/filter";
import type { FleetFields, FleetOp, FleetReply } from "./protocol";
import type { FleetReader } from "./reader";
import { mergeStats } from "./stats";
import { requester } from "../core/killed-by";
import type { AuditAction } from "../audit/entry";
import type { AuditLog } from "../audit/log";
import { audited, type AuditDraft, type AuditedHandler } from "../http/routes/audited";
import { profileSeconds } from "../http/routes/profile";

/** Domain errors of the fleet as statuses: Redis away 503, an instance not listening 502, silent 504. */
function fleetHandle(handler: Handler): Handler {
  return handle((req, res) => fleetErrors(() => handler(req, res)));
}

/** A kill route of the fleet: its errors mapped as fleetHandle does, every attempt audited. */
function fleetAudited(log: AuditLog, config: HttpConfig, action: AuditAction, route: AuditedHandler): Handler {
  return audited(log, config, action, (req, res, draft) => fleetErrors(() => route(req, res, draft)), fleetBy);
}

async function fleetErrors(work: () => void | Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof RedisUnavailableError) throw new HttpError(503, error.message);
    if (error instanceof InstanceUnreachableError) throw new HttpError(error.timedOut ? 504 : 502, error.message);
    if (error instanceof InstanceRestartedError) throw new HttpError(410, error.message);
    if (error instanceof TypeError) throw new HttpError(400, error.message);
    throw error;
  }
}

/** Who asked, as the fleet records a kill, without the protected-mode check (for refusals). */
export function fleetBy(req: ApiRequest, config: HttpConfig): string {
  return requester(req.tokenLabel || (config.peer(req) ?? "unknown"), "fleet-api");
}

/**
 * `GET /procs/`: every up instance's live tasks. Without a query the body is streamed an
 * instance at a time as Redis returns it (the aggregator holds one batch of lists, not the
 * fleet); with filters, sort or limit the tasks are parsed and narrowed first.
 */
export function fleetListRoute(reader: FleetReader, stringAttrs: (req: ApiRequest) => boolean): Handler {
  return fleetHandle(async (req, res) => {
    const strings = stringAttrs(req);
    const skipped: FleetSkipped[] = [];
    // Named in the answer: the instances some of whose tasks are left out, and why.
    const skippedField = () => (skipped.length === 0 ? "" : `"skipped":${JSON.stringify(skipped)},`);
    if (strings || (req.search !== null && req.search !== "?")) {
      checkQuery("listQuery", req.query);
      const procs = await readProcs(reader, req.query, skipped);
      if (strings) for (const proc of procs) proc.attrs = attrsAsStrings(proc.attrs);
      return sendJsonText(
        res,
        200,
        `{"procs":${JSON.stringify(procs)},${skippedField()}"service":${JSON.stringify(reader.service)},"serverTime":"${serverTime()}"}`,
      );
    }
    const known = await reader.instances();
    const up = known.filter((i) => i.state === "up").map((i) => i.instance);
    // A gone instance's last tasks follow, each with `gone` (when it went): not live, not cancellable.
    const goneSince = new Map(known.filter((i) => i.state === "gone").map((i) => [i.instance, i.since]));
    const tail = () => `${skippedField()}"service":${JSON.stringify(reader.service)},"serverTime":"${serverTime()}"}`;
    let first = true;
    await reader.eachList(
      [...up, ...goneSince.keys()],
      async (instance, values) => {
        const parts: Buffer[] = [];
        for (const value of values) {
          // Checked, not copied: a value in Redis may be anything, and one bad value must not spoil the answer.
          const proc = readStoredProc(instance, value);
          if (proc === undefined) {
            noteSkipped(reader, skipped, instance);
            continue;
          }
          const since = goneSince.get(instance);
          if (first)
            res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store", "x-content-type-options": "nosniff" });
          parts.push(first ? OPEN : COMMA, since === undefined ? value : Buffer.from(JSON.stringify({ ...proc, gone: since })));
          first = false;
        }
        if (parts.length > 0 && !res.write(Buffer.concat(parts))) await new Promise((resolve) => res.once("drain", resolve));
      },
      (instance, reason) => skipped.push({ instance, reason }),
    );
    if (first) return sendJsonText(res, 200, `{"procs":[],${tail()}`);
    res.end(`],${tail()}`);
  });
}

/** Attribute values as the original's clients read them: every one a string (`attrText`). */
function attrsAsStrings(attrs: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs ?? {})) out[key] = attrText(value);
  return out;
}

const OPEN = Buffer.from('{"procs":[');
const COMMA = Buffer.from(",");

/** `GET /instances`: every instance of the service, up or gone since when. */
export function instancesRoute(reader: FleetReader): Handler {
  return fleetHandle(async (req, res) => {
    checkQuery("noQuery", req.query);
    sendJsonText(
      res,
      200,
      `{"service":${JSON.stringify(reader.service)},"instances":${JSON.stringify(await reader.instances())},"serverTime":"${serverTime()}"}`,
    );
  });
}

/** `GET /procs/finished`: the finished tasks each up instance keeps, oldest end first. */
export function fleetFinishedRoute(reader: FleetReader, stringAttrs: (req: ApiRequest) => boolean): Handler {
  return fleetHandle(async (req, res) => {
    checkQuery("noQuery", req.query);
    const all: WireFinishedProc[] = [];
    const skipped: FleetSkipped[] = [];
    for (const { instance, reply } of await reader.askAll("finished")) {
      if (reply?.status !== 200) continue;
      // An answer is untrusted (anything subscribed under a listed name may give one): a list of
      // finished tasks of that instance, or it is left out and the instance named.
      const body = reply.body as { finished: WireFinishedProc[] };
      const own =
        validateWire.finishedList(body) &&
        body.finished.every((p: WireFinishedProc) => p.instance === instance && p.id.startsWith(`${instance}/`));
      if (!own) {
        reader.report(`finished tasks of instance ${JSON.stringify(instance)}`, "its answer is not a list of its finished tasks");
        skipped.push({ instance, reason: "its answer is not a list of its finished tasks" });
        continue;
      }
      for (const proc of body.finished) all.push(proc);
    }
    all.sort((a, b) => (a.endTime < b.endTime ? -1 : a.endTime > b.endTime ? 1 : 0));
    if (stringAttrs(req)) for (const proc of all) proc.attrs = attrsAsStrings(proc.attrs);
    const skippedField = skipped.length === 0 ? "" : `"skipped":${JSON.stringify(skipped)},`;
    sendJsonText(res, 200, `{"finished":${JSON.stringify(all)},${skippedField}"serverTime":"${serverTime()}"}`);
  });
}

/**
 * `GET /procs/profile?seconds=N[&instance=<name>]`: profiles the CPU of one instance, or of every
 * up instance at once, each in its own process, for N seconds (1–60, default 10), and answers
 * `{ profiles: [{ instance, profile } | { instance, status, error }], serverTime }`, tables side
 * by side. One instance that cannot profile answers its status (409 already profiling, 502, 504).
 * V8's raw profile is the instance's own API's (`format=cpuprofile`): megabytes do not go through Redis.
 * A client that closes its side of the connection stops the instances' profiles early, as on one
 * instance's own API (each instance is told to cancel the profile it runs for this request).
 */
export function fleetProfileRoute(reader: FleetReader): Handler {
  return fleetHandle(async (req, res) => {
    checkQuery("fleetProfileQuery", req.query);
    const seconds = profileSeconds(req.query.seconds);
    const wanted = req.query.instance as string | undefined;
    const stop = new AbortController();
    const abort = () => stop.abort();
    res.once("close", abort);
    req.socket.once("end", abort);
    let answers;
    try {
      answers =
        wanted === undefined
          ? await reader.askAll("profile", { seconds }, seconds * 1e3, stop.signal)
          : [{ instance: wanted, reply: await reader.ask(wanted, "profile", { seconds }, seconds * 1e3, stop.signal) }];
    } finally {
      res.off("close", abort);
      req.socket.off("end", abort);
    }
    if (wanted !== undefined && answers[0].reply !== undefined && answers[0].reply.status !== 200)
      throw new HttpError(answers[0].reply.status, answers[0].reply.error ?? `instance ${wanted} answered ${answers[0].reply.status}`);
    const profiles = answers.map(({ instance, reply, error }) => {
      if (reply?.status === 200) return { instance, profile: (reply.body as { profile: unknown }).profile };
      if (reply !== undefined) return { instance, status: reply.status, error: reply.error ?? `answered ${reply.status}` };
      return {
        instance,
        status: error instanceof InstanceUnreachableError ? (error.timedOut ? 504 : 502) : 503,
        error: error instanceof Error ? error.message : String(error),
      };
    });
    sendJsonText(res, 200, `{"profiles":${JSON.stringify(profiles)},"serverTime":"${serverTime()}"}`);
  });
}

/** `GET /stats`: per task name over the up instances (counts summed; quantiles the highest instance's). */
export function fleetStatsRoute(reader: FleetReader): Handler {
  return fleetHandle(async (req, res) => {
    checkQuery("statsQuery", req.query);
    const names = req.query.name === undefined ? undefined : new Set(([] as string[]).concat(req.query.name));
    const parts: WireNameStats[][] = [];
    for (const { reply } of await reader.askAll("stats"))
      if (reply?.status === 200) parts.push((reply.body as { stats: WireNameStats[] }).stats);
    const stats = mergeStats(parts).filter((s) => names === undefined || names.has(s.name));
    sendJsonText(res, 200, `{"stats":${JSON.stringify(stats)},"serverTime":"${serverTime()}"}`);
  });
}

/**
 * `DELETE /procs/?name=…&status=…&attr.<k>=<v>`: the filter goes to every up instance, each
 * kills its matching tasks and answers. `{ cancelled, refused, unanswered, message?, serverTime }`,
 * ids as `<instance>/<id>`; `unanswered` names the instances whose outcome is unknown. Without a
 * filter, 400 and nothing sent.
 */
export function fleetKillWhereRoute(reader: FleetReader, config: HttpConfig, log: AuditLog): Handler {
  return fleetAudited(log, config, "kill-where", async (req, res, draft) => {
    draft.filter = req.query as Record<string, string | string[]>;
    const by = fleetRequester(req, config);
    draft.by = by;
    requireSomeKill(req);
    checkKillQuery(req.query);
    const kill = await readKill(req);
    if (kill.force) requireSomeKill(req, true);
    const reason = kill.message;
    draft.message = reason;
    const killed = await fleetKillWhere(reader, req.query, kill, by, grantOf(req).killScope);
    draft.cancelled = killed.cancelled;
    draft.refused = killed.refused;
    if (killed.forced !== undefined) draft.rungs = killed.forced.map((result) => ({ id: result.id, rungs: rungsTaken(result) }));
    let fields = `"cancelled":${JSON.stringify(killed.cancelled)},"refused":${JSON.stringify(killed.refused)}`;
    if (killed.forced !== undefined || kill.force) fields += `,"forced":${JSON.stringify(killed.forced ?? [])}`;
    if (killed.omitted !== undefined) fields += `,"omitted":${killed.omitted}`;
    sendJsonText(res, 200, killedWhereJson(`${fields},"unanswered":${JSON.stringify(killed.unanswered)}`, reason));
  });
}

/**
 * The task routes: `/procs/<instance>/<id>` with each part percent-encoded, or the whole
 * `<instance>/<id>` percent-encoded as one segment (what the page sends); `/history` after
 * either. `op` is task, history or kill.
 */
export function fleetTaskRoute(reader: FleetReader, op: "task", config: HttpConfig, stringAttrs?: (req: ApiRequest) => boolean): Handler {
  return fleetHandle((req, res) => taskOp(reader, op, config, stringAttrs, req, res, {}));
}

/** `DELETE /procs/<instance>/<id>`: the kill routed to the instance, audited. */
export function fleetKillRoute(reader: FleetReader, config: HttpConfig, log: AuditLog): Handler {
  return fleetAudited(log, config, "kill", (req, res, draft) => taskOp(reader, "kill", config, undefined, req, res, draft));
}

async function taskOp(
  reader: FleetReader,
  op: FleetOp,
  config: HttpConfig,
  stringAttrs: ((req: ApiRequest) => boolean) | undefined,
  req: ApiRequest,
  res: ServerResponse,
  draft: AuditDraft,
): Promise<void> {
  {
    const found = taskOf(req);
    if (found === undefined || (found.history && op === "kill"))
      throw new HttpError(404, `no such route: ${req.method} ${req.path.slice(0, 100)}`);
    const { task } = found;
    if (found.history) op = "history";
    checkQuery("fleetTaskQuery", req.query);
    const fleetId = `${task.instance}/${task.id}`;
    const boot = req.query.boot as string | undefined;
    let fields: FleetFields = { id: task.id, ...(boot === undefined ? {} : { boot }) };
    if (op === "kill") {
      draft.id = fleetId;
      const by = fleetRequester(req, config);
      draft.by = by;
      requireSomeKill(req);
      const { message, force, graceMs } = await readKill(req);
      draft.message = message;
      if (force) {
        draft.action = "force";
        requireSomeKill(req, true);
      }
      const can = grantOf(req).killScope;
      fields = {
        ...fields,
        by,
        ...(message === undefined ? {} : { message }),
        ...(can === undefined ? {} : { can }),
        ...(force ? { force, ...(graceMs === undefined ? {} : { graceMs }) } : {}),
      };
    }
    // Read beside the kill, for its audit entry: the list may drop the task once it has ended.
    const named = op === "kill" ? reader.taskName(task.instance, task.id) : undefined;
    const known = (await reader.instances()).find((i) => i.instance === task.instance);
    if (known === undefined) throw new TaskNotFoundError(fleetId);
    if (known.state === "gone") throw new InstanceUnreachableError(task.instance, `is gone (since ${known.since})`);
    // Told apart here already when the registry says so; the instance checks it again as it acts.
    if (boot !== undefined && known.boot !== undefined && known.boot !== boot)
      throw new InstanceRestartedError(restartedSince(task.instance, boot, known.boot, known.startedAt));
    const reply = await reader.ask(task.instance, op, fields);
    const name = await named;
    if (name !== undefined) draft.name = name;
    if (fields.force === true && reply.status === 200 && validateWire.killed(reply.body)) {
      const { force } = reply.body as WireKilled;
      if (force !== undefined) draft.rungs = rungsTaken(force);
    }
    const proc =
      op === "task" && reply.status === 200 && stringAttrs?.(req)
        ? (reply.body as { proc?: { attrs?: Record<string, unknown> } } | null)?.proc
        : undefined;
    if (proc !== undefined && proc !== null) proc.attrs = attrsAsStrings(proc.attrs);
    sendReply(res, fleetId, reply);
  }
}

/** Who asked a kill, and where from: the token's label (else the peer) at the fleet API. Refuses as every kill route does (protected mode). */
function fleetRequester(req: ApiRequest, config: HttpConfig): string {
  const who = killRequester(req, config);
  return requester(req.tokenLabel || who, "fleet-api");
}

function sendReply(res: ServerResponse, fleetId: string, reply: FleetReply): void {
  if (reply.status === 200) return sendJsonText(res, 200, JSON.stringify(reply.body));
  if (reply.status === 404 && reply.error === undefined) throw new TaskNotFoundError(fleetId);
  if (reply.status === 403 && reply.error === undefined) throw new CancelForbiddenError(fleetId);
  throw new HttpError(reply.status >= 400 && reply.status <= 599 ? reply.status : 502, reply.error ?? `instance answered ${reply.status}`);
}

/**
 * The task of a path: `:a` is a whole fleet id, `:a/:b` an instance and an id, `:a/:b/history` a
 * history; `/procs/<whole id>/history` arrives as `:a/:b` with `b` "history".
 */
function taskOf(req: ApiRequest): { task: FleetTaskId; history: boolean } | undefined {
  // A third segment other than `history` names no route: `DELETE /procs/i1/7/x` must not kill i1/7.
  if (req.params.c !== undefined && req.params.c !== "history") return undefined;
  const a = decodeId(req.params.a);
  const b = req.params.b === undefined ? undefined : decodeId(req.params.b);
  const history = req.path.endsWith("/history") && req.params.c === "history";
  if (b === undefined) return { task: parseFleetId(a), history: false };
  if (a.includes("/")) return history || b !== "history" ? undefined : { task: parseFleetId(a), history: true };
  return { task: parseFleetId(`${a}/${b}`), history };
}
