import type { ProcessManager } from "../manager";
import type { Task } from "../task";
import { procJson } from "./proc-json";

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
    if (this.manager.rev !== this.rev) {
      // Read rev first: a change made while building shows up as a newer rev next time.
      this.rev = this.manager.rev;
      this.head = procListHead(this.manager.tasks());
    }
    return this.head;
  }
}

/** `{"procs":[…],"serverTime":"` for any tasks (the filtered path). */
export function procListHead(tasks: Iterable<Task>): Buffer {
  let json = '{"procs":[';
  let first = true;
  for (const task of tasks) {
    if (first) first = false;
    else json += ",";
    json += procJson(task);
  }
  return Buffer.from(json + '],"serverTime":"', "utf8");
}

/** The closing of a list body: the time and the braces. */
export function listTail(serverTime: string): string {
  return serverTime + '"}';
}
