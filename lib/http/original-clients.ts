import type { IncomingMessage } from "node:http";

/**
 * Whose answers carry attribute values as strings:
 * - `"go"`: requests from the original Go library's clients, told by their User-Agent — its
 *   `client` package (and so its terminal monitor) sends `go-pm`, and a Go program on plain
 *   `net/http` sends `Go-http-client/…`;
 * - `"always"`: every request (a Go client behind a proxy that rewrites the User-Agent);
 * - `"never"`: none (a Go program of your own that reads typed values).
 */
export type StringAttrsMode = "go" | "always" | "never";

export const STRING_ATTRS_MODES: readonly StringAttrsMode[] = ["go", "always", "never"];

/**
 * Whether `req` gets attribute values as strings. The original's clients decode attributes as
 * `map[string]interface{}` and its monitor asserts every value is a string (the original's
 * examples only ever set strings), so a number or a boolean there panics the whole monitor.
 */
export function wantsStringAttrs(mode: StringAttrsMode, req: IncomingMessage): boolean {
  if (mode !== "go") return mode === "always";
  const agent = req.headers["user-agent"];
  return agent !== undefined && (agent === "go-pm" || agent.startsWith("Go-http-client/"));
}
