import type { WireTaskEvent, WireFinishedProc, WireOutcome, WireProc } from "../../wire/shapes";
import { parseTime } from "./time";

/** A running task as the page holds it: wire fields parsed once, display strings cached. */
export interface LiveTask {
  id: string;
  name: string;
  attrs: Record<string, unknown>;
  /** Epoch ms (server clock) of the start and of the current status. */
  start: number;
  statusAt: number;
  status: string;
  cancelling: boolean;
  forbidCancel: boolean;
  /** Since when (epoch ms, server clock) a forced kill found it ignoring its cancel; undefined when none did. */
  ignoringSince: number | undefined;
  /** In a fleet (`serveFleet`): the instance running the task; `id` is then `<instance>/<id>`. */
  instance: string | undefined;
  /** In a fleet: since when (epoch ms) its instance is gone; the row then shows what it was doing, and cannot be cancelled. */
  gone: number | undefined;
  /** In a fleet: the incarnation of its instance the id belongs to; the kill names it, so a restart in between refuses it. */
  boot: string | undefined;
  parent: string | undefined;
  /** `key=value` pairs, for the attributes column and the filter. */
  attrText: string;
  /** What it waits on now, oldest first (`since` in epoch ms, server clock); empty when nothing. */
  waits: { kind: string; target: string; since: number }[];
  /** When (server clock) `waits` was last set: an older `wait` event (replayed after a snapshot) is ignored. */
  waitsAt: number;
  /** Lower-cased id, name, status and attributes: what the text filter searches. */
  search: string;
  /** Bumped on every change: rows redraw only when it moved. */
  rev: number;
}

/** A finished task, newest first in `Store.finished`. */
export interface FinishedTask {
  /** Unique per end (a reused id ends more than once). */
  key: string;
  id: string;
  name: string;
  attrText: string;
  start: number;
  end: number;
  durationMs: number;
  outcome: WireOutcome;
  /** The last history entry: `ended`, `killed: <message>`, `aborted`. */
  status: string;
  killedBy: string | undefined;
  error: string | undefined;
  /** Lower-cased text the finished search looks in, built on first search. */
  search?: string;
}

/** What an event changed (bit flags), so the views redraw no more than they must. */
export const Change = {
  None: 0,
  /** A task started or ended: the running list's membership moved. */
  Membership: 1,
  /** A running task's status, attributes or cancel state moved. */
  Row: 2,
  /** A task joined the finished list. */
  Finished: 4,
} as const;
export type Change = number;

/**
 * The page's model of the server: running tasks and recent finished ones, built from a snapshot
 * (`GET /procs/`, `GET /procs/finished`) and then kept current by the events stream. Applying an
 * event is idempotent against the snapshot, because events that raced the snapshot are replayed.
 */
export class Store {
  readonly live = new Map<string, LiveTask>();
  finished: FinishedTask[] = [];
  /** Server clock minus local clock, from the last snapshot: ages are computed on the server's clock. */
  clockOffset = 0;
  /** The server's keepFinished: how far back its finished list reaches (absent from older servers). */
  serverKeepsFinished: number | undefined;
  private readonly finishedKeys = new Set<string>();
  /** Who asked to kill a running task, kept until its `done` event moves it to the finished list. */
  private readonly killers = new Map<string, string | undefined>();
  private snapshotAt = -Infinity;
  /** The service, when the server is a fleet's API (`serveFleet`): the page then lists its instances. */
  service: string | undefined = undefined;

  constructor(readonly keepFinished = 500) {}

  /** Whether a `GET /procs/` answer has arrived: until then an empty list means "not known yet". */
  get loaded(): boolean {
    return this.snapshotAt !== -Infinity;
  }

  /** The server's "now" in epoch ms. */
  now(localNow = Date.now()): number {
    return localNow + this.clockOffset;
  }

  /** Replaces the running list with a `GET /procs/` answer. */
  loadLive(procs: WireProc[], serverTime: string, localNow = Date.now()): void {
    this.snapshotAt = parseTime(serverTime);
    this.clockOffset = this.snapshotAt - localNow;
    this.live.clear();
    for (const proc of procs) this.live.set(proc.id, toLive(proc));
    for (const id of this.killers.keys()) if (!this.live.has(id)) this.killers.delete(id);
  }

  /**
   * Marks the running tasks of the instances `GET /instances` lists as gone. `back`: a marked
   * task's instance is up again, so only a fresh list says which of its tasks run (its rows stay
   * marked until that list replaces them).
   */
  markGone(instances: readonly { instance: string; state: "up" | "gone"; since: string }[]): { change: Change; back: boolean } {
    const since = new Map<string, number>();
    for (const i of instances) if (i.state === "gone") since.set(i.instance, parseTime(i.since));
    let change: Change = Change.None;
    let back = false;
    for (const task of this.live.values()) {
      if (task.instance === undefined) continue;
      const gone = since.get(task.instance);
      if (gone === task.gone) continue;
      if (gone === undefined) {
        // Up again: a new process under the name, whose tasks only a fresh list gives. The dead
        // one's rows stay marked until it replaces them, so nothing asks for their history or
        // offers their Cancel meanwhile (their ids may name the new process's tasks).
        back = true;
        continue;
      }
      task.gone = gone;
      task.rev++;
      change = Change.Row;
    }
    return { change, back };
  }

  /** Replaces the finished list with a `GET /procs/finished` answer (oldest first, as the server sends it). */
  loadFinished(finished: WireFinishedProc[], serverKeeps?: number): void {
    this.serverKeepsFinished = serverKeeps;
    this.finished = [];
    this.finishedKeys.clear();
    for (let i = finished.length - 1; i >= 0 && this.finished.length < this.keepFinished; i--) {
      const f = finished[i];
      const start = parseTime(f.procTime);
      this.pushFinished(
        {
          key: `${f.id}\u0000${f.endTime}`,
          id: f.id,
          name: f.name ?? f.id,
          attrText: attrText(f.attrs),
          start,
          end: parseTime(f.endTime),
          durationMs: f.durationMs,
          outcome: f.outcome,
          status: f.status,
          killedBy: f.killedBy,
          error: f.error,
        },
        false,
      );
    }
  }

  /** Applies one event of the stream; answers what it changed. */
  apply(event: WireTaskEvent): Change {
    const ts = parseTime(event.ts);
    if (event.type === "start") {
      const known = this.live.get(event.proc.id);
      if (known !== undefined && known.start === parseTime(event.proc.procTime)) {
        // This very task again: replayed after a snapshot that holds it (the snapshot is newer), or
        // renamed (a request once its route is known), which is all a second start can change.
        if (known.name === event.proc.name) return Change.None;
        rename(known, event.proc.name);
        // As a change of membership: the name may sort differently and size its column anew.
        return Change.Membership;
      }
      this.live.set(event.proc.id, toLive(event.proc));
      return Change.Membership;
    }
    const task = this.live.get(event.id);
    switch (event.type) {
      case "status":
        if (task === undefined || ts < task.statusAt) return Change.None;
        if (event.ignoringCancelSince !== undefined) task.ignoringSince = timeOf(event.ignoringCancelSince);
        setStatus(task, event.status, ts);
        return Change.Row;
      case "attr":
        if (task === undefined || ts <= this.snapshotAt) return Change.None;
        if (event.deleted) delete task.attrs[event.key];
        else task.attrs[event.key] = event.value;
        task.attrText = attrText(task.attrs);
        refresh(task);
        return Change.Row;
      case "wait":
        if (task === undefined || ts < task.waitsAt || ts <= this.snapshotAt) return Change.None;
        task.waits = waitsOf(event.waits);
        task.waitsAt = ts;
        refresh(task);
        return Change.Row;
      case "kill":
        if (task === undefined) return Change.None;
        task.cancelling = true;
        // The server records the request in the history, so its list shows it as the status too.
        if (ts >= task.statusAt)
          setStatus(task, event.message === undefined ? "[cancel request]" : `[cancel request: ${event.message}]`, ts);
        else refresh(task);
        this.killers.set(event.id, event.by);
        return Change.Row;
      case "done": {
        let change: Change = Change.None;
        if (task !== undefined && task.start <= ts) {
          this.live.delete(event.id);
          change = Change.Membership;
        }
        const key = `${event.id}\u0000${event.ts}`;
        if (this.finishedKeys.has(key)) return change;
        const by = this.killers.get(event.id);
        this.killers.delete(event.id);
        this.pushFinished(
          {
            key,
            id: event.id,
            name: task?.name ?? event.id,
            attrText: task?.attrText ?? "",
            start: ts - event.durationMs,
            end: ts,
            durationMs: event.durationMs,
            outcome: event.outcome,
            status: event.status,
            killedBy: by,
            error: event.error,
          },
          true,
        );
        return change | Change.Finished;
      }
    }
  }

  private pushFinished(task: FinishedTask, newest: boolean): void {
    if (newest) this.finished.unshift(task);
    else this.finished.push(task);
    this.finishedKeys.add(task.key);
    while (this.finished.length > this.keepFinished) this.finishedKeys.delete(this.finished.pop()!.key);
  }
}

function toLive(proc: WireProc): LiveTask {
  const attrs = { ...proc.attrs };
  const task: LiveTask = {
    id: proc.id,
    name: proc.name ?? proc.id,
    attrs,
    start: parseTime(proc.procTime),
    statusAt: parseTime(proc.statusTime),
    status: proc.status,
    cancelling: proc.cancelling === true,
    forbidCancel: proc.forbidCancel === true,
    ignoringSince: proc.ignoringCancelSince === undefined ? undefined : timeOf(proc.ignoringCancelSince),
    instance: proc.instance,
    // A gone instance's last task (serveFleet's list sends them with `gone`): marked from the first draw.
    gone: goneOf(proc),
    boot: typeof proc.boot === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(proc.boot) ? proc.boot : undefined,
    parent: proc.parent,
    attrText: attrText(attrs),
    waits: waitsOf(proc.waits),
    waitsAt: -Infinity,
    search: "",
    rev: 0,
  };
  refresh(task);
  return task;
}

/** When the task's instance went, for a gone instance's row of a fleet list; undefined on any other row or a bad time. */
function goneOf(proc: WireProc): number | undefined {
  const gone = (proc as WireProc & { gone?: unknown }).gone;
  if (typeof gone !== "string") return undefined;
  const at = parseTime(gone);
  return Number.isFinite(at) ? at : undefined;
}

/** The waits a server sent, oldest first; anything malformed (a fleet relays what instances send) is left out. */
function waitsOf(waits: unknown): LiveTask["waits"] {
  if (!Array.isArray(waits)) return [];
  const out: LiveTask["waits"] = [];
  for (const w of waits as { kind?: unknown; target?: unknown; since?: unknown }[]) {
    if (w === null || typeof w !== "object" || typeof w.kind !== "string" || typeof w.target !== "string" || typeof w.since !== "string")
      continue;
    const since = parseTime(w.since);
    if (Number.isFinite(since)) out.push({ kind: w.kind, target: w.target, since });
  }
  return out.sort((a, b) => a.since - b.since);
}

/** A time the server sent, or undefined when it is not one (a fleet relays what instances send). */
function timeOf(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const at = parseTime(text);
  return Number.isFinite(at) ? at : undefined;
}

function setStatus(task: LiveTask, status: string, ts: number): void {
  task.status = status;
  task.statusAt = ts;
  refresh(task);
}

function rename(task: LiveTask, name: string | undefined): void {
  task.name = name ?? task.id;
  refresh(task);
}

function refresh(task: LiveTask): void {
  task.search =
    `${task.id}\u0000${task.name}\u0000${task.status}\u0000${task.attrText}\u0000${task.waits.map((w) => `${w.kind} ${w.target}`).join("\u0000")}`.toLowerCase();
  task.rev++;
}

/** `method=GET uri=/work?ms=300`: strings bare, everything else as JSON. */
export function attrText(attrs: Record<string, unknown> | undefined): string {
  if (attrs === undefined) return "";
  let out = "";
  for (const key in attrs) {
    const value = attrs[key];
    out += `${out === "" ? "" : " "}${key}=${typeof value === "string" ? value : JSON.stringify(value)}`;
  }
  return out;
}
