import type { ProcessManager } from "../../core/manager";
import type { Task } from "../../core/task";
import { filterInSlices, sortInSlices } from "./filters";
import type { Query } from "../inputs/checks";
import { SLICE_BYTES, type PacedBody } from "./send";
import { PacedBuild, type Waiter } from "./build";
import { finishedEntry, finishedEntryWithStringAttrs, procEntry, procEntryWithStringAttrs, type ProcEntry } from "./entries";

/** Filtered lists kept at once (selections and bodies each), and the bytes of bodies kept in all. */
const MAX_QUERIES = 32;
const MAX_KEPT_BYTES = 32 * 1024 * 1024;
/** Entries taken per event-loop turn (each may have to be made). */
const ENTRY_SLICE = 512;

/** Where a list comes from: its tasks, their cached JSON, the version they are at, its opening. */
export interface ListSource {
  tasks(): Task[];
  entry(task: Task): ProcEntry;
  rev(): number;
  /** Live tasks: one that ended while its list was being made is left out. */
  live: boolean;
  /** `{"procs":[` or `{"finished":[`. */
  open: string;
}

/** The live tasks, as `GET /procs/` lists them (`stringAttrs`: with attribute values as strings). */
export function liveSource(manager: ProcessManager, stringAttrs = false): ListSource {
  const entry = stringAttrs ? procEntryWithStringAttrs : procEntry;
  return { tasks: () => manager.taskArray(), entry, rev: () => manager.rev, live: true, open: '{"procs":[' };
}

/** The kept finished tasks, as `GET /procs/finished` lists them (`stringAttrs`: with attribute values as strings). */
export function finishedSource(manager: ProcessManager, stringAttrs = false): ListSource {
  const entry = stringAttrs ? finishedEntryWithStringAttrs : finishedEntry;
  return { tasks: () => manager.finishedTasks(), entry, rev: () => manager.rev, live: false, open: '{"finished":[' };
}

/** What a query selects: its tasks in order, and their entries as they were then. */
interface Selection {
  tasks: Task[];
  entries: string[];
  /** Each entry's UTF-8 length. */
  sizes: number[];
}

interface Kept<T> {
  rev: number;
  value: T;
}

/**
 * The filtered and sorted lists of a route (`?sort=`, `?attr.k=`, `?name=`, `?status=`, `limit`),
 * held to the same bar as the plain list:
 * - the tasks a query selects are kept per query until the source's `rev` moves, so a flood of one
 *   query filters once per change, and `limit` only cuts the kept selection;
 * - filtering runs a slice per event-loop turn (`PacedBuild`), comparing attributes with cached
 *   text (`attrText`), never serializing a value per request;
 * - each sort order is kept for all queries and re-sorted from its previous order when the tasks
 *   change, which costs about one pass;
 * - the body is copied from the tasks' cached entries a slice at a time as it goes out, and kept
 *   once whole.
 * Every cache is bounded in entries, the bodies also in bytes.
 */
export class FilteredLists {
  private readonly selections = new Map<string, PacedBuild<Selection>>();
  private readonly orders = new Map<string, PacedBuild<Task[]>>();
  private readonly bodies = new Map<string, Kept<EntriesBody>>();
  private keptBytes = 0;
  private readonly open: Buffer;

  constructor(private readonly source: ListSource) {
    this.open = Buffer.from(source.open, "latin1");
  }

  /** Calls `waiter` with the body, up to its `serverTime`, of the list `query` asks for (validated before). */
  body(query: Query, waiter: Waiter<PacedBody>): void {
    const selectionKey = keyOf(query);
    const bodyKey = `${selectionKey} limit=${query.limit ?? ""}`;
    const kept = this.bodies.get(bodyKey);
    if (kept !== undefined && kept.rev === this.source.rev()) return waiter(null, touch(this.bodies, bodyKey, kept).value);
    this.selection(selectionKey, query).get((error, selection, rev) => {
      if (error !== null) return waiter(error);
      let { entries, sizes } = selection!;
      if (typeof query.limit === "string" && Number(query.limit) < entries.length)
        [entries, sizes] = [entries.slice(0, Number(query.limit)), sizes.slice(0, Number(query.limit))];
      const body = new EntriesBody(this.open, entries, sizes);
      this.keepBody(bodyKey, { rev: rev!, value: body });
      waiter(null, body);
    });
  }

  private selection(key: string, query: Query): PacedBuild<Selection> {
    const known = this.selections.get(key);
    if (known !== undefined) return touch(this.selections, key, known);
    const { limit: _limit, sort, ...filters } = query;
    const build = new PacedBuild(this.source.rev, () => {
      let base: Task[] | undefined;
      let failed: unknown = null;
      if (typeof sort === "string") this.order(sort).get((error, tasks) => (error === null ? (base = tasks) : (failed = error)));
      else base = this.source.tasks();
      let filter: (() => Task[] | undefined) | undefined;
      let tasks: Task[] | undefined;
      const entries: string[] = [];
      const sizes: number[] = [];
      return () => {
        if (failed !== null) throw failed;
        if (base === undefined) return undefined; // the sort order is being made
        filter ??= filterInSlices(base, filters, this.source.live);
        tasks ??= filter();
        if (tasks === undefined) return undefined;
        // The entries now, a slice at a time (a changed task's entry is made here), taken as
        // they are: an entry object is updated in place when its task changes.
        for (const end = Math.min(tasks.length, entries.length + ENTRY_SLICE); entries.length < end; ) {
          const entry = this.source.entry(tasks[entries.length]);
          entries.push(entry.json);
          sizes.push(entry.bytes);
        }
        return entries.length < tasks.length ? undefined : { tasks, entries, sizes };
      };
    });
    keep(this.selections, key, build);
    return build;
  }

  /** Every task of the source in `sort` order, made from the previous order when the tasks change. */
  private order(sort: string): PacedBuild<Task[]> {
    const known = this.orders.get(sort);
    if (known !== undefined) return known;
    let last: Task[] = [];
    const build = new PacedBuild(this.source.rev, () => {
      const tasks = this.source.tasks();
      const position = new Map<Task, number>();
      let sorting: (() => Task[] | undefined) | undefined;
      return () => {
        if (sorting === undefined) {
          tasks.forEach((task, i) => position.set(task, i));
          // The tasks still there in their last order, then the new ones in list order.
          const base = last.filter((task) => position.has(task));
          const known = new Set(base);
          for (const task of tasks) if (!known.has(task)) base.push(task);
          sorting = sortInSlices(base, sort, position);
          return undefined;
        }
        const sorted = sorting();
        if (sorted !== undefined) last = sorted;
        return sorted;
      };
    });
    this.orders.set(sort, build);
    return build;
  }

  private keepBody(key: string, kept: Kept<EntriesBody>): void {
    const old = this.bodies.get(key);
    if (old !== undefined) this.keptBytes -= old.value.length;
    keep(this.bodies, key, kept, (evicted) => (this.keptBytes -= evicted.value.length));
    this.keptBytes += kept.value.length;
    for (const [oldest, value] of this.bodies) {
      if (this.keptBytes <= MAX_KEPT_BYTES) break;
      this.bodies.delete(oldest);
      this.keptBytes -= value.value.length;
    }
  }
}

/** The same query however its parameters were ordered or repeated, without `limit`. */
function keyOf(query: Query): string {
  const parts: string[] = [];
  for (const name of Object.keys(query).sort()) {
    if (name === "limit") continue;
    const value = query[name];
    parts.push(JSON.stringify([name, typeof value === "string" ? [value] : [...(value ?? [])].sort()]));
  }
  return parts.join(",");
}

/** Moves an entry to the young end of the map (least recently used first) and returns it. */
function touch<T>(map: Map<string, T>, key: string, value: T): T {
  map.delete(key);
  map.set(key, value);
  return value;
}

function keep<T>(map: Map<string, T>, key: string, value: T, evicted?: (value: T) => void): void {
  touch(map, key, value);
  if (map.size <= MAX_QUERIES) return;
  const [oldest, old] = map.entries().next().value as [string, T];
  map.delete(oldest);
  evicted?.(old);
}

const CLOSE = Buffer.from('],"serverTime":"', "latin1");

/**
 * A list body made of the tasks' entries as they were when selected, encoded into
 * pieces of about a slice each while it goes out, and kept as those pieces once one serving has
 * made them all.
 */
class EntriesBody implements PacedBody {
  readonly length: number;
  private made: Buffer[] | undefined;

  constructor(
    private readonly open: Buffer,
    private readonly entries: string[],
    sizes: number[],
  ) {
    let length = open.length + CLOSE.length - (entries.length === 0 ? 0 : 1);
    for (const size of sizes) length += size;
    this.length = length;
  }

  get madeAsSent(): boolean {
    return this.made === undefined;
  }

  pieces(): Iterator<Buffer> {
    return this.made !== undefined ? this.made[Symbol.iterator]() : this.make();
  }

  private *make(): Generator<Buffer> {
    const made: Buffer[] = [this.open];
    yield this.open;
    for (let start = 0; start < this.entries.length; ) {
      let end = start;
      let json = "";
      while (end < this.entries.length && json.length < SLICE_BYTES) json += this.entries[end++];
      if (start === 0) json = json.slice(1); // the first entry's comma
      const piece = Buffer.from(json, "utf8");
      piecesMade++;
      made.push(piece);
      yield piece;
      start = end;
    }
    made.push(CLOSE);
    yield CLOSE;
    this.made = made;
  }
}

let piecesMade = 0;

/** How many pieces of filtered answers this process has made so far (they are made one per turn, see `inTurn`). */
export function filteredPiecesMade(): number {
  return piecesMade;
}
