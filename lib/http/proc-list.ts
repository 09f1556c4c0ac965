import type { ProcessManager } from "../core/manager";
import type { Task } from "../core/task";
import type { PacedBody } from "./paced-body";
import { procEntry } from "./proc-json";

/** Tasks per block: small enough that a status change re-encodes little, large enough to write few pieces. */
const BLOCK_TASKS = 32;

/** The JSON of consecutive live tasks as UTF-8, each preceded by a comma, valid while each task's `rev` is the one kept. */
interface Block {
  readonly tasks: Task[];
  readonly revs: number[];
  /** Each task's entry, as `procEntry` gave it at that rev. */
  readonly entries: Buffer[];
  readonly bytes: Buffer;
}

const OPEN = Buffer.from('{"procs":[', "latin1");
const CLOSE = Buffer.from('],"serverTime":"', "latin1");

/**
 * The body of `GET /procs/` up to its `serverTime`, for the live list as it is now.
 *
 * A real server's tasks change all the time, so the body is kept as blocks of 32 tasks' encoded
 * JSON: when the manager's `rev` moved, a block is reused if it still holds the same tasks at the
 * same revs, and only changed blocks are copied again from the tasks' cached bytes (a task's JSON
 * is made and encoded once per change of that task, see `procEntry`). A block is
 * found again by its first task, and a new block stops at the first task of an old one, so blocks
 * stay aligned as tasks end and start. The blocks are written as they are, never joined: joining
 * costs a copy of the whole list, which churn would waste on almost every request.
 */
export class ProcListCache {
  private rev = -1;
  private anchors = new Map<Task, Block>();
  private body: ListBody = new ListBody([]);

  constructor(private readonly manager: ProcessManager) {}

  /** `{"procs":[…],"serverTime":"` for the live list as it is now. */
  current(): PacedBody {
    const rev = this.manager.rev;
    if (rev === this.rev) return this.body;
    // The rev read before building, recorded once the build succeeded: a change made while
    // building shows up as a newer rev next time, and a failed build is retried, never served stale.
    this.refresh(this.manager.taskArray());
    this.rev = rev;
    return this.body;
  }

  private refresh(tasks: Task[]): void {
    const blocks: Block[] = [];
    const anchors = new Map<Task, Block>();
    for (let i = 0; i < tasks.length; ) {
      let block = this.anchors.get(tasks[i]);
      if (block === undefined || !unchanged(block, tasks, i)) block = buildBlock(tasks, i, this.anchors, block);
      blocks.push(block);
      anchors.set(block.tasks[0], block);
      i += block.tasks.length;
    }
    // Turnover leaves small blocks behind (ended tasks, new blocks stopped early): start afresh
    // once there are twice as many as needed.
    if (blocks.length > 2 * Math.ceil(tasks.length / BLOCK_TASKS) + 8) {
      this.anchors = new Map();
      return this.refresh(tasks);
    }
    this.anchors = anchors;
    this.body = new ListBody(blocks.map((b) => b.bytes));
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
 * A block from `tasks[start]` on: up to BLOCK_TASKS tasks, stopping before the first task of a
 * kept block. The entries of tasks unchanged since `old` (the block that started here) are taken
 * from it, so a status change costs one task's entry and a copy, not 32 lookups.
 */
function buildBlock(tasks: Task[], start: number, anchors: Map<Task, Block>, old: Block | undefined): Block {
  let end = start + 1;
  while (end < tasks.length && end - start < BLOCK_TASKS && !anchors.has(tasks[end])) end++;
  const members = tasks.slice(start, end);
  const revs: number[] = [];
  const entries: Buffer[] = [];
  let k = 0; // members keep their order in `old`; ended ones are skipped
  for (const task of members) {
    while (old !== undefined && k < old.tasks.length && old.tasks[k] !== task) k++;
    const reused = old !== undefined && k < old.tasks.length && old.revs[k] === task.rev;
    entries.push(reused ? old.entries[k] : procEntry(task).utf8);
    revs.push(task.rev);
  }
  return { tasks: members, revs, entries, bytes: Buffer.concat(entries) };
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
