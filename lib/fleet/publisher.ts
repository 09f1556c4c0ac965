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

/**
 * One pass, atomic: when a nonce is given and the registry key (KEYS[2]) holds another process's
 * record, nothing is written and {0, record} comes back (a process silent past its TTL must not
 * write into the list of the process that took its name meanwhile; a missing key is not taken:
 * the next heartbeat registers again). Else the hash (KEYS[1]) is emptied on a whole pass, the
 * ARGV[4] field/value arguments written and the rest deleted, 500 fields per command, and the
 * hash kept as long as a gone instance is listed (ARGV[3] ms): a dead instance's last tasks stay readable.
 */
const PUBLISH = `
if ARGV[1] ~= '' then
  local current = redis.call('GET', KEYS[2])
  if current and not string.find(current, ARGV[1], 1, true) then return {0, current} end
end
if ARGV[2] == '1' then redis.call('DEL', KEYS[1]) end
local last = 4 + tonumber(ARGV[4])
local i = 5
while i <= last do
  local upto = math.min(i + 999, last)
  redis.call('HSET', KEYS[1], unpack(ARGV, i, upto))
  i = upto + 1
end
while i <= #ARGV do
  local upto = math.min(i + 499, #ARGV)
  redis.call('HDEL', KEYS[1], unpack(ARGV, i, upto))
  i = upto + 1
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1}`;

/**
 * Keeps the instance's task hash in Redis equal to its live tasks, by difference: a pass (at most
 * one per `publishMs`, only when the manager's `rev` moved) writes the tasks whose `rev` changed
 * and deletes those that ended, in one script so readers never see half a pass. Tracking never
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
    /**
     * The name's registry key and this process's nonce in it: a pass writes only while the key is
     * missing or this process's, and calls `lost` with the holder's record otherwise.
     */
    private readonly claim?: { key: string; nonce: string; lost: (holder: string) => void },
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
      const pass = ++this.pass;
      const sets: string[] = [];
      if (whole) this.published.clear();
      for (const task of this.manager.tasks()) {
        const entry = this.published.get(task.id);
        if (entry !== undefined && entry.task === task) {
          entry.seen = pass;
          if (entry.rev === task.rev) continue;
          entry.rev = task.rev;
        } else this.published.set(task.id, { task, rev: task.rev, seen: pass });
        sets.push(task.id, fleetProcJson(task, this.instance, this.boot));
      }
      const ended: string[] = [];
      for (const [id, entry] of this.published) {
        if (entry.seen === pass) continue;
        this.published.delete(id);
        ended.push(id);
      }
      const { claim } = this;
      // One script: the check that the name is still this process's and the write cannot
      // interleave with another process taking the name (see PUBLISH).
      const answer = (await this.redis.eval(
        PUBLISH,
        2,
        this.key,
        claim?.key ?? this.key,
        claim?.nonce ?? "",
        whole ? "1" : "0",
        GONE_RETENTION_MS,
        sets.length,
        ...sets,
        ...ended,
      )) as [number, string?];
      if (answer[0] === 0) {
        // Another process holds the name: its list is not this one's to write.
        this.published.clear();
        this.whole = true;
        claim?.lost(answer[1] ?? "");
        return;
      }
      this.publishedRev = rev;
    } catch {
      // What Redis holds is unknown now: the next pass writes it whole.
      this.whole = true;
    } finally {
      this.inFlight = false;
    }
  }
}
