import type { Task } from "../core/task";
import { filterTasks } from "./filters";
import type { Query } from "./inputs";
import { SLICE_BYTES, type PacedBody } from "./paced-body";
import { finishedEntry, procEntry, type ProcEntry } from "./proc-json";
import type { ProcessManager } from "../core/manager";

/** Filtered lists kept at once (selections and bodies each), and the bytes of bodies kept in all. */
const MAX_QUERIES = 32;
const MAX_KEPT_BYTES = 32 * 1024 * 1024;

/** Where a list comes from: its tasks, their cached JSON, the version they are at, its opening. */
export interface ListSource {
  tasks(): Iterable<Task>;
  entry(task: Task): ProcEntry;
  rev(): number;
  /** `{"procs":[` or `{"finished":[`. */
  open: string;
}

/** The live tasks, as `GET /procs/` lists them. */
export function liveSource(manager: ProcessManager): ListSource {
  return { tasks: () => manager.tasks(), entry: procEntry, rev: () => manager.rev, open: '{"procs":[' };
}

/** The kept finished tasks, as `GET /procs/finished` lists them. */
export function finishedSource(manager: ProcessManager): ListSource {
  return { tasks: () => manager.finishedTasks(), entry: finishedEntry, rev: () => manager.rev, open: '{"finished":[' };
}

interface Kept<T> {
  rev: number;
  value: T;
}

/**
 * The filtered and sorted lists of a route (`?sort=`, `?attr.k=`, `?name=`, `?status=`, `limit`),
 * held to the same bar as the plain list. The tasks a query selects (filtered, then sorted) are
 * kept per query until the source's `rev` moves, so a flood of one query filters and sorts once
 * per change, and `limit` only cuts the kept selection; the body is made from the tasks' cached
 * JSON a slice per event-loop turn as it goes out (`sendPaced`), and kept once whole. Attribute
 * filters compare with cached text (`attrText`), never serializing a value per request.
 * Both caches are bounded in entries, the bodies also in bytes.
 */
export class FilteredLists {
  private readonly selections = new Map<string, Kept<Task[]>>();
  private readonly bodies = new Map<string, Kept<EntriesBody>>();
  private keptBytes = 0;
  private readonly open: Buffer;

  constructor(private readonly source: ListSource) {
    this.open = Buffer.from(source.open, "latin1");
  }

  /** The body, up to its `serverTime`, of the list `query` asks for (validated before). */
  body(query: Query): PacedBody {
    const rev = this.source.rev();
    const selectionKey = keyOf(query);
    const bodyKey = `${selectionKey} limit=${query.limit ?? ""}`;
    const kept = fresh(this.bodies, bodyKey, rev);
    if (kept !== undefined) return kept;
    let tasks = fresh(this.selections, selectionKey, rev);
    if (tasks === undefined) {
      const { limit: _limit, ...filters } = query;
      tasks = filterTasks(this.source.tasks(), filters);
      keep(this.selections, selectionKey, { rev, value: tasks });
    }
    if (typeof query.limit === "string" && Number(query.limit) < tasks.length) tasks = tasks.slice(0, Number(query.limit));
    const body = new EntriesBody(this.open, tasks.map((task) => this.source.entry(task)));
    this.keepBody(bodyKey, { rev, value: body });
    return body;
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

/** The kept value if it is at `rev`, moved to the young end of the map (least recently used first). */
function fresh<T>(map: Map<string, Kept<T>>, key: string, rev: number): T | undefined {
  const kept = map.get(key);
  if (kept === undefined || kept.rev !== rev) return undefined;
  map.delete(key);
  map.set(key, kept);
  return kept.value;
}

function keep<T>(map: Map<string, Kept<T>>, key: string, kept: Kept<T>, evicted?: (kept: Kept<T>) => void): void {
  map.delete(key);
  map.set(key, kept);
  if (map.size <= MAX_QUERIES) return;
  const [oldest, value] = map.entries().next().value as [string, Kept<T>];
  map.delete(oldest);
  evicted?.(value);
}

const CLOSE = Buffer.from('],"serverTime":"', "latin1");

/**
 * A list body made of the tasks' encoded entries as they were when it was asked for, copied into
 * pieces of about a slice each while it goes out, and kept as those pieces once one serving has
 * made them all.
 */
class EntriesBody implements PacedBody {
  readonly length: number;
  private readonly entries: Buffer[];
  private made: Buffer[] | undefined;

  constructor(
    private readonly open: Buffer,
    entries: ProcEntry[],
  ) {
    // An entry object is updated in place when its task changes: take its bytes now.
    this.entries = entries.map((e) => e.utf8);
    let length = open.length + CLOSE.length - (entries.length === 0 ? 0 : 1);
    for (const entry of this.entries) length += entry.length;
    this.length = length;
  }

  pieces(): Iterator<Buffer> {
    return this.made !== undefined ? this.made[Symbol.iterator]() : this.make();
  }

  private *make(): Generator<Buffer> {
    const made: Buffer[] = [this.open];
    yield this.open;
    for (let start = 0; start < this.entries.length; ) {
      let end = start;
      let size = 0;
      while (end < this.entries.length && size < SLICE_BYTES) size += this.entries[end++].length;
      let piece = Buffer.concat(this.entries.slice(start, end), size);
      if (start === 0) piece = piece.subarray(1); // the first entry's comma
      made.push(piece);
      yield piece;
      start = end;
    }
    made.push(CLOSE);
    yield CLOSE;
    this.made = made;
  }
}
