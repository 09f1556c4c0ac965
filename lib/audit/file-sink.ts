import { appendFile, rename, stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { AuditEntry } from "./entry";
import type { AuditSink } from "./log";

/** Options of `auditFile()`. */
export interface AuditFileOptions {
  /** Size past which the file is rotated (`audit.jsonl` → `audit.jsonl.1` …), in bytes. Default 10 MiB. */
  maxBytes?: number | undefined;
  /** Rotated files kept besides the current one. Default 5. */
  keep?: number | undefined;
}

/** Lines waiting at most while the disk is slow or failing; past it the oldest are dropped (and counted in the next line). */
const MAX_PENDING = 10_000;

/** The writer of each file this process writes, by absolute path, with the options it was made with. */
const writers = new Map<string, { sink: AuditSink; maxBytes: number; keep: number }>();

/**
 * An audit sink writing one JSON object per line to `path`, rotated by size: when a line would
 * take the file past `maxBytes`, `path.<keep-1>` becomes `path.<keep>` (the oldest is overwritten)
 * … and `path` becomes `path.1`. Writes are queued and done one at a time off the kill's path; a
 * failing write is retried with the next entry, and at most 10,000 lines wait. Every sink of one
 * file in a process shares one writer (two writers' rotations renamed over each other's files and
 * lost lines); another process needs a file of its own.
 * @example serve({ audit: auditFile("/var/log/myapp/proclist-audit.jsonl") })
 */
export function auditFile(path: string, options: AuditFileOptions = {}): AuditSink {
  const { maxBytes = 10 << 20, keep = 5 } = options;
  if (typeof path !== "string" || path === "") throw new TypeError(`invalid audit file path ${JSON.stringify(path)}`);
  if (!Number.isInteger(maxBytes) || maxBytes < 1024)
    throw new TypeError(`invalid option "maxBytes" ${JSON.stringify(maxBytes)}: an integer of at least 1024`);
  if (!Number.isInteger(keep) || keep < 1 || keep > 1000)
    throw new TypeError(`invalid option "keep" ${JSON.stringify(keep)}: an integer from 1 to 1000`);
  const absolute = resolve(path);
  const known = writers.get(absolute);
  if (known !== undefined) {
    if (known.maxBytes !== maxBytes || known.keep !== keep)
      throw new TypeError(
        `invalid audit file ${JSON.stringify(path)}: this process writes it already with maxBytes ${known.maxBytes} and keep ${known.keep}; one file has one rotation`,
      );
    return known.sink;
  }
  const sink = fileWriter(absolute, maxBytes, keep);
  writers.set(absolute, { sink, maxBytes, keep });
  return sink;
}

/** The one writer of a file: its queue, its size and its rotation. */
function fileWriter(path: string, maxBytes: number, keep: number): AuditSink {
  /** Entries waiting as JSON, oldest first, each with how many lines were dropped just before it. */
  const pending: { json: string; before: number }[] = [];
  let writing: Promise<void> | undefined;
  let size: number | undefined;

  const rotate = async (): Promise<void> => {
    for (let i = keep - 1; i >= 1; i--) await rename(`${path}.${i}`, `${path}.${i + 1}`).catch(() => undefined);
    await rename(path, `${path}.1`).catch(() => undefined);
    size = 0;
  };

  // Past the bound the oldest line goes, counted (with what it counted) in the line now first, so
  // nothing dropped goes uncounted however long the disk fails.
  const bound = (): void => {
    while (pending.length > MAX_PENDING) {
      const gone = pending.shift()!;
      pending[0].before += 1 + gone.before;
    }
  };

  const drain = async (): Promise<void> => {
    while (pending.length > 0) {
      size ??= await stat(path).then(
        (s) => s.size,
        () => 0,
      );
      // The lines that fit before maxBytes (at least one), each made and measured once: measuring
      // the text as it grew made a backlog of n lines cost n² (4,000 lines stalled the loop 12 s).
      const lines: string[] = [];
      let bytes = 0;
      while (lines.length < pending.length) {
        const line = lineOf(pending[lines.length]);
        const next = Buffer.byteLength(line);
        if (lines.length > 0 && size + bytes + next > maxBytes) break;
        lines.push(line);
        bytes += next;
      }
      const taken = pending.splice(0, lines.length);
      if (size > 0 && size + bytes > maxBytes) await rotate();
      try {
        await appendFile(path, lines.join(""), { mode: 0o600 });
        size += bytes;
      } catch (error) {
        // Keep the entries for the next try, which the next entry starts.
        pending.unshift(...taken);
        bound();
        size = undefined;
        throw error;
      }
    }
  };

  return (entry: AuditEntry) => {
    pending.push({ json: JSON.stringify(entry), before: 0 });
    bound();
    if (writing !== undefined) return writing;
    writing = drain().finally(() => (writing = undefined));
    return writing;
  };
}

/** An entry's line: its JSON, with `droppedBefore` when lines were dropped just before it. */
function lineOf(item: { json: string; before: number }): string {
  return (item.before === 0 ? item.json : `${item.json.slice(0, -1)},"droppedBefore":${item.before}}`) + "\n";
}
