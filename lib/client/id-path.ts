/** Path segments that are routes of their own under /procs/ for GET: `GET /procs/events` is the stream. */
const SHADOWED = new Set(["events", "finished"]);

/**
 * A task id as a path segment after `/procs/`. A task may be called `events` or `finished`; the
 * server routes `GET /procs/events` to the stream, but matches routes before decoding, so the id
 * with its first character percent-encoded (`%65vents`) still reaches the task.
 */
export function idPath(id: string): string {
  const encoded = encodeURIComponent(id);
  if (!SHADOWED.has(encoded)) return encoded;
  return "%" + encoded.charCodeAt(0).toString(16).toUpperCase() + encoded.slice(1);
}
