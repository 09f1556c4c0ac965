import { canKill, canKillSome } from "../../http/access/can";
import { TransportError } from "../../client/errors";
import { InstanceUnreachableError } from "../../fleet/errors";
import type { RemoteProc, RemoteProcList, RemoteStats } from "../../client/types";
import type { Found } from "../history-view";
import { isForeignAnswer } from "../exit-codes";
import { formatValue } from "../format";
import { rowsOf, sortRows, SORTS, type Row, type SortKey } from "../rows";

/** How much larger than the best one a clock difference may be before it is taken as the server's clock set back. */
const OFFSET_RESET_MS = 1000;

/** Refresh intervals `+` and `-` step through, in ms. */
const INTERVALS = [250, 500, 1000, 2000, 5000, 10_000, 30_000] as const;

/** What `top` knows of one endpoint: its last answer, or why it is down. */
export interface EndpointView {
  label: string;
  /** undefined until the first answer or failure. */
  up: boolean | undefined;
  /** The last answer, and when it arrived on the model's monotonic clock. */
  list: RemoteProcList;
  receivedAt: number;
  /**
   * The model's clock minus the server's, from the answer that took least time on its way (the
   * smallest difference seen): ages are reckoned with it, so a slower answer does not make its
   * endpoint's tasks look younger, and tasks of two endpoints do not swap places from one refresh to the next.
   */
  offset?: number;
  /** Why it is down (a short reason), when it is. */
  error?: string;
  /** Local time it last answered, to say how stale a down endpoint's knowledge is. */
  lastOk?: number;
  /** Local time it went down. */
  downSince?: number;
  /** A fleet instance that left or stopped its heartbeat: since when (epoch ms), as the fleet says. */
  goneSince?: number;
  /** Its last `GET /stats` answer (the event loop's delay, a running CPU profile); absent from servers without one. */
  stats?: RemoteStats;
}

/** A task picked for killing, waiting for y/n; `message` is recorded in its history. */
export interface Confirm {
  endpoint: string;
  id: string;
  forbidCancel: boolean;
  message?: string;
  /** `K`: force the task if it still runs this long after the cancel (0: a task already cancelling is forced at once). */
  force?: { graceMs: number };
  /** In a fleet: the incarnation the task was read from; the kill names it, so a restart in between refuses it. */
  boot?: string | undefined;
}

/** A line being typed at the bottom: the filter (`/`), or the kill message (`k`). */
export interface Input {
  kind: "filter" | "message";
  text: string;
}

/** The selected task's history, shown in place of the list (`Enter`). */
export interface HistoryView {
  endpoint: string;
  id: string;
  found?: Found;
  error?: string;
  /** Lines scrolled back from the newest (↑/↓ and the page keys move it while the history shows). */
  back?: number;
}

/** Everything `top` shows, changed only through these methods; rendering reads it (see view.ts). */
export class TopModel {
  readonly endpoints: EndpointView[];
  sortIndex = 0;
  intervalIndex: number;
  paused = false;
  confirm: Confirm | undefined;
  notice: { text: string; error: boolean } | undefined;
  /** Each endpoint's token rights (`GET /whoami`), where the endpoint said; absent: everything. */
  rights = new Map<string, readonly string[]>();
  /** Lower-cased text a row must contain (id, name, status, endpoint, `key=value` attributes), as the page's filter. */
  filter = "";
  input: Input | undefined;
  history: HistoryView | undefined;
  /** `?`: the keys are listed in place of the list. */
  help = false;
  /** What the first column calls where a task runs: ENDPOINT, or INSTANCE for a fleet (as ls says). */
  where = "ENDPOINT";
  /** The selected task, by identity, so that a refresh that reorders rows keeps it selected. */
  private selectedKey: string | undefined;
  private selectedIndex = 0;

  /** `clock` is monotonic (ms); ages are brought to its present so that endpoints polled at different moments compare. */
  constructor(
    labels: string[],
    intervalMs = 1000,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.endpoints = [];
    for (const label of labels) this.add(label);
    const at = INTERVALS.findIndex((ms) => ms >= intervalMs);
    this.intervalIndex = at < 0 ? INTERVALS.length - 1 : at;
  }

  get sort(): SortKey {
    return SORTS[this.sortIndex];
  }

  get intervalMs(): number {
    return INTERVALS[this.intervalIndex];
  }

  /**
   * Rows of every endpoint, merged, filtered and sorted. A down endpoint keeps its last answer's
   * rows, marked with when it was (`asOf`), so the operator still sees what it was doing.
   */
  rows(): Row[] {
    const now = this.clock();
    const rows: Row[] = [];
    for (const e of this.endpoints) {
      if (e.up === undefined || (e.up === false && e.lastOk === undefined)) continue;
      const cpu = e.up === true ? cpuOf(e.stats) : undefined;
      for (const row of rowsOf(e.label, e.list, now - (e.offset ?? e.receivedAt - e.list.serverTime) - e.list.serverTime)) {
        if (e.up === false) row.asOf = e.lastOk;
        if (cpu !== undefined) row.cpuShare = (cpu.ms.get(row.proc.id) ?? 0) / cpu.elapsedMs;
        if (this.filter === "" || rowText(row).includes(this.filter)) rows.push(row);
      }
    }
    return sortRows(rows, this.sort);
  }

  /** How many rows there are before the filter. */
  get unfiltered(): number {
    return this.endpoints.reduce((n, e) => n + (e.up === true || (e.up === false && e.lastOk !== undefined) ? e.list.procs.length : 0), 0);
  }

  /** Follows one more endpoint (a fleet instance that joined), not yet answered. */
  add(label: string): void {
    this.endpoints.push({ label, up: undefined, list: { procs: [], serverTime: 0 }, receivedAt: 0 });
  }

  /** Records an answer. */
  answered(label: string, list: RemoteProcList, now: number): void {
    const view = this.endpoint(label);
    const receivedAt = this.clock();
    const offset = receivedAt - list.serverTime;
    // A difference larger by over a second is the server's clock set back (or another server under the label): start again from it.
    if (view.offset === undefined || offset < view.offset || offset - view.offset > OFFSET_RESET_MS) view.offset = offset;
    Object.assign(view, { up: true, list, receivedAt, lastOk: now });
    delete view.error;
    delete view.downSince;
    delete view.goneSince;
  }

  /** Records an answer of `GET /stats`; undefined: the endpoint has none (the Go original), or it failed. */
  statsAnswered(label: string, stats: RemoteStats | undefined): void {
    this.endpoint(label).stats = stats;
  }

  /** Records a failed poll: the endpoint is shown as down, with why. */
  failed(label: string, error: unknown, now: number): void {
    const view = this.endpoint(label);
    if (view.up !== false) view.downSince = now;
    view.up = false;
    view.error =
      error instanceof TransportError
        ? error.reason
        : isForeignAnswer(error)
          ? `not a proclist API (${error.message})`
          : error instanceof Error
            ? error.message
            : String(error);
    view.goneSince = error instanceof InstanceUnreachableError ? error.goneSince : undefined;
  }

  /** Index of the selected row in `rows()`, following the selected task when it moved. */
  selection(rows: Row[] = this.rows()): number {
    if (rows.length === 0) return -1;
    const at = this.selectedKey === undefined ? -1 : rows.findIndex((r) => key(r) === this.selectedKey);
    this.selectedIndex = at >= 0 ? at : Math.min(this.selectedIndex, rows.length - 1);
    this.selectedKey = key(rows[this.selectedIndex]);
    return this.selectedIndex;
  }

  selected(): Row | undefined {
    const rows = this.rows();
    const at = this.selection(rows);
    return at < 0 ? undefined : rows[at];
  }

  move(delta: number): void {
    const rows = this.rows();
    if (rows.length === 0) return;
    const at = Math.max(0, Math.min(rows.length - 1, this.selection(rows) + delta));
    this.selectedIndex = at;
    this.selectedKey = key(rows[at]);
  }

  nextSort(step = 1): void {
    this.sortIndex = (this.sortIndex + step + SORTS.length) % SORTS.length;
  }

  /** `+` lengthens the interval, `-` shortens it; the header shows the value. */
  changeInterval(step: number): void {
    this.intervalIndex = Math.max(0, Math.min(INTERVALS.length - 1, this.intervalIndex + step));
  }

  /** Scrolls the history shown in place: positive is further back, toward `init`; clamped when drawn. */
  scrollHistory(delta: number): void {
    if (this.history === undefined) return;
    this.history.back = Math.max(0, (this.history.back ?? 0) + delta);
  }

  /** Whether some endpoint's token may kill (`force`: force-kill) some task; else the key is not offered. */
  mayKillAny(force = false): boolean {
    return this.endpoints.some((e) => {
      const can = this.rights.get(e.label);
      return can === undefined || canKillSome(can, force);
    });
  }

  /** Why the token may not kill (`force`: force-kill) the task `k` or `K` would act on now, or undefined when it may. */
  killRefusal(force = false): string | undefined {
    const target = this.killTarget();
    const name = target?.proc?.name;
    if (target === undefined || name === undefined) return undefined;
    const can = this.rights.get(target.endpoint);
    if (can === undefined || canKill(can, name, force)) return undefined;
    return `the token may not ${force ? "force-kill" : "cancel"} ${name} on ${target.endpoint} (it has: ${can.join(", ")})`;
  }

  /**
   * `k` (and `K`, with `graceMs`): picks the task for killing and asks for a message (`preset`,
   * from -m): the one whose history is shown, else the selected one; false when there is none. A
   * forced kill of a task already cancelling gets no grace: it has had its cancel already.
   */
  askKill(preset = "", force?: { graceMs: number }): boolean {
    const target = this.killTarget();
    if (target === undefined) return false;
    const { endpoint, id, proc } = target;
    this.confirm = { endpoint, id, forbidCancel: proc?.forbidCancel === true };
    if (proc?.boot !== undefined) this.confirm.boot = proc.boot;
    if (force !== undefined) this.confirm.force = { graceMs: proc?.cancelling === true ? 0 : force.graceMs };
    this.input = { kind: "message", text: preset };
    return true;
  }

  /** The task `k` acts on: the one whose history is shown, else the selected row's. */
  private killTarget(): { endpoint: string; id: string; proc: RemoteProc | undefined } | undefined {
    const shown = this.history;
    if (shown !== undefined) return { endpoint: shown.endpoint, id: shown.id, proc: shown.found?.task?.proc };
    const row = this.selected();
    return row === undefined ? undefined : { endpoint: row.endpoint, id: row.proc.id, proc: row.proc };
  }

  private endpoint(label: string): EndpointView {
    const view = this.endpoints.find((e) => e.label === label);
    if (view === undefined) throw new Error(`unknown endpoint ${label}`);
    return view;
  }
}

/** While a profile runs: each running task's CPU time so far by id, and the time the profile has run. */
function cpuOf(stats: RemoteStats | undefined): { ms: Map<string, number>; elapsedMs: number } | undefined {
  const profiling = stats?.profiling;
  if (profiling === undefined) return undefined;
  return {
    ms: new Map(profiling.tasks.map((t) => [t.id, t.cpuMs])),
    elapsedMs: Math.max(1, stats!.serverTime - profiling.startTime),
  };
}

/** What the filter searches, per task of an answer: built once, since every frame filters again. */
const searchText = new WeakMap<object, string>();

function rowText(row: Row): string {
  const { proc } = row;
  let text = searchText.get(proc);
  if (text !== undefined) return text;
  text = `${proc.id}\u0000${proc.name ?? ""}\u0000${proc.status}\u0000${row.endpoint}`;
  for (const key in proc.attrs) text += `\u0000${key}=${formatValue(proc.attrs[key])}`;
  text = text.toLowerCase();
  searchText.set(proc, text);
  return text;
}

function key(row: Row): string {
  return `${row.endpoint}\u0000${row.proc.id}`;
}
