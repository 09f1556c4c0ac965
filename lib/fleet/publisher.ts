import type { Redis } from "ioredis";
import type { ProcessManager } from "../core/manager";
import type { Task } from "../core/task";
import { fleetProcJson } from "../http/lists/entries";
import { GONE_RETENTION_MS } from "./keys";
import { isReady } from "./redis";

interface Published {
  task: Task;
  rev: number;
  /** The pass that last saw the task live: entries of an older pass have ended. */
  seen: number;
}

/** HSET arguments per command: one command with 10,000 fields would be one 2.5 MB write. */
const FIELDS_PER_HSET = 500;

/**
 * Keeps the instance's task hash in Redis equal to its live tasks, by difference: a pass (at most
 * one per `publishMs`, only when the manager's `rev` moved) writes the tasks whose `rev` changed
 * and deletes those that ended, in one MULTI so readers never see half a pass. Tracking never
 * waits on it: a pass is skipped while Redis is not ready or the previous pass is still in
 * flight, and a failed pass makes the next one rewrite the whole hash, so nothing is queued.
 */
export class TaskPublisher {
  private readonly published = new Map<string, Published>();
  private pass = 0;
  private publishedRev = -1;
  private whole = true;
  private inFlight = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly manager: ProcessManager,
    private readonly key: string,
    readonly instance: string,
    readonly ttlMs: number,
    /** Resolves true when another process holds the instance's name: its list is then not this one's to write. */
    private readonly taken: () => Promise<boolean> = async () => false,
    /** The incarnation each task row names (see `bootOf`). */
    private readonly boot?: string,
  ) {}

  start(publishMs: number): void {
    this.timer ??= setInterval(() => void this.publish(), publishMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The next pass rewrites the whole hash (after a reconnect, or when the key was recreated). */
  rewriteAll(): void {
    this.whole = true;
  }

  /** One pass; resolves when Redis answered (or at once when there is nothing to do). Never rejects. */
  async publish(): Promise<void> {
    if (this.inFlight || !isReady(this.redis)) return;
    const rev = this.manager.rev;
    if (rev === this.publishedRev && !this.whole) return;
    this.inFlight = true;
    const whole = this.whole;
    this.whole = false;
    try {
      // One read per pass (at most one per publishMs): a process that was silent past its TTL must
      // not write into the list of the process that took its name meanwhile.
      if (await this.taken()) {
        this.whole = whole;
        return;
      }
      const multi = this.redis.multi();
      if (whole) {
        this.published.clear();
        multi.del(this.key);
      }
      const pass = ++this.pass;
      let fields: string[] = [];
      for (const task of this.manager.tasks()) {
        const entry = this.published.get(task.id);
        if (entry !== undefined && entry.task === task) {
          entry.seen = pass;
          if (entry.rev === task.rev) continue;
          entry.rev = task.rev;
        } else this.published.set(task.id, { task, rev: task.rev, seen: pass });
        fields.push(task.id, fleetProcJson(task, this.instance, this.boot));
        if (fields.length >= FIELDS_PER_HSET * 2) {
          multi.hset(this.key, ...fields);
          fields = [];
        }
      }
      if (fields.length > 0) multi.hset(this.key, ...fields);
      let ended: string[] = [];
      for (const [id, entry] of this.published) {
        if (entry.seen === pass) continue;
        this.published.delete(id);
        ended.push(id);
        if (ended.length >= FIELDS_PER_HSET) {
          multi.hdel(this.key, ...ended);
          ended = [];
        }
      }
      if (ended.length > 0) multi.hdel(this.key, ...ended);
      // Kept as long as a gone instance is listed: a dead instance's last tasks stay readable.
      multi.pexpire(this.key, GONE_RETENTION_MS);
      const results = await multi.exec();
      if (results === null || results.some(([error]) => error !== null)) throw new Error("the task list was not written");
      this.publishedRev = rev;
    } catch {
      // What Redis holds is unknown now: the next pass writes it whole.
      this.whole = true;
    } finally {
      this.inFlight = false;
    }
  }
}
