import { appendFile, rename, stat } from "node:fs/promises";
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

/**
 * An audit sink writing one JSON object per line to `path`, rotated by size: when a line would
 * take the file past `maxBytes`, `path.<keep-1>` becomes `path.<keep>` (the oldest is overwritten)
 * … and `path` becomes `path.1`. Writes are queued and done one at a time off the kill's path; a
 * failing write is retried with the next entry, and at most 10,000 lines wait.
 * @example serve({ audit: auditFile("/var/log/myapp/proclist-audit.jsonl") })
 */
export function auditFile(path: string, options: AuditFileOptions = {}): AuditSink {
  const { maxBytes = 10 << 20, keep = 5 } = options;
  if (typeof path !== "string" || path === "") throw new TypeError(`invalid audit file path ${JSON.stringify(path)}`);
  if (!Number.isInteger(maxBytes) || maxBytes < 1024)
    throw new TypeError(`invalid option "maxBytes" ${JSON.stringify(maxBytes)}: an integer of at least 1024`);
  if (!Number.isInteger(keep) || keep < 1 || keep > 1000)
    throw new TypeError(`invalid option "keep" ${JSON.stringify(keep)}: an integer from 1 to 1000`);
  const pending: string[] = [];
  let dropped = 0;
  let writing: Promise<void> | undefined;
  let size: number | undefined;

  const rotate = async (): Promise<void> => {
    for (let i = keep - 1; i >= 1; i--) await rename(`${path}.${i}`, `${path}.${i + 1}`).catch(() => undefined);
    await rename(path, `${path}.1`).catch(() => undefined);
    size = 0;
  };

  const drain = async (): Promise<void> => {
    while (pending.length > 0) {
      size ??= await stat(path).then(
        (s) => s.size,
        () => 0,
      );
      let text = "";
      while (pending.length > 0 && (text === "" || size + Buffer.byteLength(text) + Buffer.byteLength(pending[0]) <= maxBytes))
        text += pending.shift();
      if (size > 0 && size + Buffer.byteLength(text) > maxBytes) await rotate();
      try {
        await appendFile(path, text, { mode: 0o600 });
        size += Buffer.byteLength(text);
      } catch (error) {
        // Keep the lines for the next try, which the next entry starts.
        pending.unshift(text);
        size = undefined;
        throw error;
      }
    }
  };

  return (entry: AuditEntry) => {
    if (pending.length >= MAX_PENDING) {
      pending.shift();
      dropped++;
    }
    const line = dropped === 0 ? entry : { ...entry, droppedBefore: dropped };
    dropped = 0;
    pending.push(JSON.stringify(line) + "\n");
    if (writing !== undefined) return writing;
    writing = drain().finally(() => (writing = undefined));
    return writing;
  };
}
