import type { ProcessManager } from "../core/manager";
import type { Task } from "../core/task";
import { fleetProcJson } from "../http/lists/entries";
import { GONE_RETENTION_MS } from "./keys";
import { MAX_LIST_BYTES, MAX_LIST_ROWS, MAX_ROW_BYTES } from "./bounds";
import type { FleetConnection } from "./redis";

interface Published {
  task: Task;
  rev: number;
  /** Its row's UTF-8 length in the hash. */
  bytes: number;
  /** The pass that last saw the task live: entries of an older pass have ended. */
  seen: number;
}

/**
 * One pass, atomic: when a nonce is given and the registry key (KEYS[2]) holds another process's
 * record, nothing is written and {0, record} comes back (a process silent past its TTL must not
 * write into the list of the process that took its name meanwhile; a missing key is not taken:
 * the next heartbeat registers again). Else the hash (KEYS[1]) is emptied on a whole pass, the
 * ARGV[4] field/value arguments after the ended fields (the rest) are deleted, 500 fields per
 * command, and the hash kept as long as a gone instance is listed (ARGV[3] ms): a dead instance's
 * last tasks stay readable. The bounds hold here too, whatever the caller sent: a value longer than
 * MAX_ROW_BYTES is not written, nor a new field once the hash holds MAX_LIST_ROWS.
 */
export const PUBLISH = `
if ARGV[1] ~= '' then
  local current = redis.call('GET', KEYS[2])
  if current and not string.find(current, ARGV[1], 1, true) then return {0, current} end
end
if ARGV[2] == '1' then redis.call('DEL', KEYS[1]) end
local last = 4 + tonumber(ARGV[4])
local i = last + 1
while i <= #ARGV do
  local upto = math.min(i + 499, #ARGV)
  redis.call('HDEL', KEYS[1], unpack(ARGV, i, upto))
  i = upto + 1
end
local rows = redis.call('HLEN', KEYS[1])
i = 5
while i <= last do
  local value = ARGV[i + 1]
  if #value <= ${MAX_ROW_BYTES} and (rows < ${MAX_LIST_ROWS} or redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1) then
    if redis.call('HSET', KEYS[1], ARGV[i], value) == 1 then rows = rows + 1 end
  end
  i = i + 2
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
  private warned = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: FleetConnection,
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

  /** Says once (until everything fits again) that tasks are left out of the list in Redis. */
  private warnLeftOut(left: number): void {
    if (left > 0 && !this.warned)
      process.emitWarning(
        `proclist fleet: ${this.instance} leaves ${left} of its live tasks out of its list in Redis: the list holds at most ${MAX_LIST_ROWS} tasks and ${MAX_LIST_BYTES >> 20} MiB, a task at most ${MAX_ROW_BYTES >> 10} KiB of JSON (the instance's own API lists them all)`,
        "ProclistFleetWarning",
      );
    this.warned = left > 0;
  }

  /** The next pass rewrites the whole hash (after a reconnect, or when the key was recreated). */
  rewriteAll(): void {
    this.whole = true;
  }

  /** One pass; resolves when Redis answered (or at once when there is nothing to do). Never rejects. */
  async publish(): Promise<void> {
    if (this.inFlight || !this.redis.ready) return;
    const rev = this.manager.rev;
    if (rev === this.publishedRev && !this.whole) return;
    this.inFlight = true;
    const whole = this.whole;
    this.whole = false;
    try {
      const pass = ++this.pass;
      const sets: string[] = [];
      if (whole) this.published.clear();
      // Within the bounds: rows oldest task first, each row and the whole list of bounded size.
      let rows = 0;
      let bytes = 0;
      let left = 0;
      for (const task of this.manager.tasks()) {
        const entry = this.published.get(task.id);
        const same = entry !== undefined && entry.task === task;
        if (same && entry.rev === task.rev) {
          entry.seen = pass;
          rows++;
          bytes += entry.bytes;
          continue;
        }
        if (rows >= MAX_LIST_ROWS) {
          left++;
          continue;
        }
        const json = fleetProcJson(task, this.instance, this.boot);
        const size = Buffer.byteLength(json);
        if (size > MAX_ROW_BYTES || bytes + size > MAX_LIST_BYTES) {
          left++;
          continue; // not seen this pass: a row it had is deleted below
        }
        rows++;
        bytes += size;
        if (same) Object.assign(entry, { rev: task.rev, bytes: size, seen: pass });
        else this.published.set(task.id, { task, rev: task.rev, bytes: size, seen: pass });
        sets.push(task.id, json);
      }
      this.warnLeftOut(left);
      const ended: string[] = [];
      for (const [id, entry] of this.published) {
        if (entry.seen === pass) continue;
        this.published.delete(id);
        ended.push(id);
      }
      const { claim } = this;
      // One script: the check that the name is still this process's and the write cannot
      // interleave with another process taking the name (see PUBLISH).
      const answer = (await this.redis.command.eval(
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
