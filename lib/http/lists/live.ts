import type { ProcessManager } from "../../core/manager";
import type { Task } from "../../core/task";
import type { PacedBody } from "./send";
import { PacedBuild, type BuildStep, type Waiter } from "./build";
import { procEntry, type ProcEntry } from "./entries";

/** Tasks per block: small enough that a status change re-encodes little, large enough to write few pieces. */
const BLOCK_TASKS = 32;
/** Work per event-loop turn of a refresh, counted in unchanged tasks checked (~20 ns each)… */
const WORK_PER_SLICE = 16_384;
/** …where making a changed task's entry (~2 µs) counts as this many. */
const WORK_PER_ENTRY = 128;
/** …and encoding a block again (~8 µs for 32 tasks' 8 KB) as this many. */
const WORK_PER_BLOCK = 400;

/** The JSON of consecutive live tasks as UTF-8, each preceded by a comma, valid while each task's `rev` is the one kept. */
interface Block {
  readonly tasks: Task[];
  readonly revs: number[];
  /** Each task's entry, as `procEntry` gave it at that rev. */
  readonly entries: string[];
  readonly bytes: Buffer;
}

const OPEN = Buffer.from('{"procs":[', "latin1");
const CLOSE = Buffer.from('],"serverTime":"', "latin1");

/**
 * The body of `GET /procs/` up to its `serverTime`, for the live list as it is now.
 *
 * A real server's tasks change all the time, so the body is kept as blocks of 32 tasks' encoded
 * JSON: when the manager's `rev` moved, a block is reused if it still holds the same tasks at the
 * same revs, and only changed blocks are encoded again from the tasks' cached text (a task's JSON
 * is made once per change of that task, and a status change makes only its changed fields, see
 * `procEntry`). The refresh runs a slice
 * of work per event-loop turn, one at a time for all requests (`PacedBuild`). A block is
 * found again by its first task, and a new block stops at the first task of an old one, so blocks
 * stay aligned as tasks end and start. The blocks are written as they are, never joined: joining
 * costs a copy of the whole list, which churn would waste on almost every request.
 */
export class ProcListCache {
  private anchors = new Map<Task, Block>();
  private readonly build: PacedBuild<ListBody>;

  /** `entry` gives a task's cached JSON: `procEntry`, or a variant of it. */
  constructor(
    manager: ProcessManager,
    private readonly entry: (task: Task) => ProcEntry = procEntry,
  ) {
    this.build = new PacedBuild(
      () => manager.rev,
      () => this.refresh(manager.taskArray()),
    );
  }

  /** Calls `waiter` with `{"procs":[…],"serverTime":"` for the live list as it is now. */
  current(waiter: Waiter<PacedBody>): void {
    this.build.get(waiter);
  }

  /**
   * A refresh of the blocks over `tasks` (the live tasks when it started), a slice per call: each
   * call walks and copies about WORK_PER_SLICE units of work. A task that ends before its block is
   * reached is left out.
   */
  private refresh(tasks: Task[]): BuildStep<ListBody> {
    let blocks: Block[] = [];
    let anchors = new Map<Task, Block>();
    let old = this.anchors;
    let i = 0;
    return () => {
      let work = 0;
      while (i < tasks.length && work < WORK_PER_SLICE) {
        let block = old.get(tasks[i]);
        let consumed: number;
        if (block !== undefined && unchanged(block, tasks, i)) {
          consumed = block.tasks.length;
          work += consumed;
        } else {
          const built = buildBlock(tasks, i, old, block, this.entry);
          ({ block, consumed } = built);
          work += consumed + built.rebuilt * WORK_PER_ENTRY + WORK_PER_BLOCK;
        }
        i += consumed;
        if (block === undefined) continue;
        blocks.push(block);
        anchors.set(block.tasks[0], block);
      }
      if (i < tasks.length) return undefined;
      // Turnover leaves small blocks behind (ended tasks, new blocks stopped early): start afresh
      // once there are twice as many as needed.
      if (blocks.length > 2 * Math.ceil(tasks.length / BLOCK_TASKS) + 8) {
        [blocks, anchors, old, i] = [[], new Map(), new Map(), 0];
        return undefined;
      }
      this.anchors = anchors;
      return new ListBody(blocks.map((b) => b.bytes));
    };
  }
}

/** Whether `block` holds `tasks` from `start` on, each at the rev it was encoded at. */
function unchanged(block: Block, tasks: Task[], start: number): boolean {
  const kept = block.tasks;
  if (start + kept.length > tasks.length) return false;
  for (let k = 0; k < kept.length; k++) {
    const task = tasks[start + k];
    if (task !== kept[k] || task.rev !== block.revs[k]) return false;
  }
  return true;
}

/**
 * A block from `tasks[start]` on: up to BLOCK_TASKS positions, stopping before the first task of a
 * kept block, without the tasks that ended since (no block when all did). The entries of tasks
 * unchanged since `old` (the block that started here) are taken from it, so a status change costs
 * one task's entry and a copy, not 32 lookups.
 */
function buildBlock(
  tasks: Task[],
  start: number,
  anchors: Map<Task, Block>,
  old: Block | undefined,
  entryOf: (task: Task) => ProcEntry,
): { block: Block | undefined; consumed: number; rebuilt: number } {
  let end = start + 1;
  while (end < tasks.length && end - start < BLOCK_TASKS && !anchors.has(tasks[end])) end++;
  const members: Task[] = [];
  const revs: number[] = [];
  const entries: string[] = [];
  let json = "";
  let rebuilt = 0;
  let k = 0; // members keep their order in `old`
  for (let at = start; at < end; at++) {
    const task = tasks[at];
    if (!task.running) continue;
    while (old !== undefined && k < old.tasks.length && old.tasks[k] !== task) k++;
    const reused = old !== undefined && k < old.tasks.length && old.revs[k] === task.rev;
    if (!reused) rebuilt++;
    const entry = reused ? old.entries[k] : entryOf(task).json;
    members.push(task);
    entries.push(entry);
    revs.push(task.rev);
    json += entry;
  }
  const block = members.length === 0 ? undefined : { tasks: members, revs, entries, bytes: Buffer.from(json, "utf8") };
  return { block, consumed: end - start, rebuilt };
}

/** `{"procs":[` + blocks (the first one's comma dropped) + `],"serverTime":"`. */
class ListBody implements PacedBody {
  readonly length: number;

  constructor(private readonly blocks: Buffer[]) {
    let length = OPEN.length + CLOSE.length - (blocks.length === 0 ? 0 : 1);
    for (const block of blocks) length += block.length;
    this.length = length;
  }

  *pieces(): Generator<Buffer> {
    yield OPEN;
    for (let i = 0; i < this.blocks.length; i++) yield i === 0 ? this.blocks[0].subarray(1) : this.blocks[i];
    yield CLOSE;
  }
}

/** The closing of a list body: the time and the braces. */
export function listTail(serverTime: string): string {
  return serverTime + '"}';
}
