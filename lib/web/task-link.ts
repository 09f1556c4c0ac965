/**
 * Links to a task on the web page: the selection lives in the URL's fragment as `#task=<id>`
 * (the id percent-encoded), so a link opens the page with that task selected and back/forward
 * move between selections. The fragment never reaches the server, so any id is safe in it.
 * Shared by the page and the `proclist` command, which prints the link.
 */
const PREFIX = "#task=";

/** The task a fragment names, or undefined (no fragment, another fragment, bad encoding). */
export function taskOfHash(hash: string): string | undefined {
  if (!hash.startsWith(PREFIX)) return undefined;
  try {
    const id = decodeURIComponent(hash.slice(PREFIX.length));
    return id === "" ? undefined : id;
  } catch {
    return undefined;
  }
}

/** The fragment selecting a task. */
export function hashOf(id: string): string {
  return PREFIX + encodeURIComponent(id);
}

/**
 * The link to a task on the page served at `pageUrl` (the API's base URL: the page answers at its
 * root), e.g. `taskLink("http://127.0.0.1:8081", "req 42")` is `http://127.0.0.1:8081/#task=req%2042`.
 */
export function taskLink(pageUrl: string, id: string): string {
  const base = pageUrl.replace(/#.*$/, "");
  return `${base.endsWith("/") ? base : `${base}/`}${hashOf(id)}`;
}
