import type { ProcessManager } from "../core/manager";
import type { Task } from "../core/task";
import { procEntry, type ProcEntry } from "./proc-json";

/**
 * The body of `GET /procs/` up to its `serverTime`, kept as bytes until the manager's `rev` moves:
 * an unchanged list costs no rebuilding and no UTF-8 encoding, only the time spliced in per request.
 * When it did move, unchanged tasks still reuse their cached JSON.
 */
export class ProcListCache {
  private rev = -1;
  private head: Buffer = Buffer.alloc(0);

  constructor(private readonly manager: ProcessManager) {}

  /** `{"procs":[…],"serverTime":"` for the live list as it is now. */
  current(): Buffer {
    const rev = this.manager.rev;
    if (rev !== this.rev) {
      // The rev read before building, recorded once the build succeeded: a change made while
      // building shows up as a newer rev next time, and a failed build is retried, never served stale.
      this.head = procListHead(this.manager.tasks());
      this.rev = rev;
    }
    return this.head;
  }
}

const HEAD = '{"procs":[';
const TAIL = '],"serverTime":"';

/**
 * `{"procs":[…],"serverTime":"` for any tasks (also the filtered path). Each task's cached text is
 * written straight into one buffer of the exact size: joining 10,000 strings and encoding the
 * result costs several times more.
 */
export function procListHead(tasks: Iterable<Task>): Buffer {
  const entries: ProcEntry[] = [];
  let size = HEAD.length + TAIL.length;
  for (const task of tasks) {
    const entry = procEntry(task);
    entries.push(entry);
    size += entry.bytes + 1;
  }
  const out = Buffer.allocUnsafe(size);
  let at = out.write(HEAD, 0, "latin1");
  for (let i = 0; i < entries.length; i++) {
    if (i !== 0) out[at++] = 0x2c; // ","
    at += out.write(entries[i].json, at, "utf8");
  }
  at += out.write(TAIL, at, "latin1");
  return out.subarray(0, at);
}

/** The closing of a list body: the time and the braces. */
export function listTail(serverTime: string): string {
  return serverTime + '"}';
}
