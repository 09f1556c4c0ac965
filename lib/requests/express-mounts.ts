/**
 * The patterns express's routers are mounted under. Under `app.use("/t/:tenant", router)`,
 * `req.baseUrl` is the path the mount matched (`/t/acme`): a value per tenant, which would make a
 * name per tenant. The pattern is found by looking the request's route up in the app's router
 * tree: the router layers on the way to it, each asked which of its patterns matched its part of
 * `req.baseUrl`. Only routers that keep their patterns (`rawPath`, the `router` package 2.3 and
 * later, express 5's) are read; their `match` keeps nothing on the layer, so asking it again
 * changes nothing for requests being routed.
 */

interface Layer {
  route?: unknown;
  handle?: { stack?: unknown };
  rawPath?: unknown;
  match?: (path: string) => unknown;
}

/** The router layers from an app's router down to each route, found once per route. */
const chains = new WeakMap<object, Layer[][]>();

/** At most this many ways down to one route are kept (a router mounted at several places). */
const MAX_CHAINS = 8;
/** Routers nested deeper than this are not searched. */
const MAX_DEPTH = 16;

/**
 * `/t/:tenant` for a request routed to `route` under `baseUrl` `/t/acme`, "" at the top; undefined
 * when it cannot be told (an older router, a regular-expression mount, a mounted sub-app, a route
 * not found in the tree): the caller then keeps `baseUrl` as it is.
 */
export function mountPattern(app: unknown, route: object, baseUrl: string): string | undefined {
  if (baseUrl === "") return "";
  const a = app as { parent?: unknown; _router?: { stack?: unknown }; router?: { stack?: unknown } };
  if (a === null || (typeof a !== "object" && typeof a !== "function")) return undefined;
  // A mounted sub-app's own mount is a layer of its parent's router, which the request left: not followed.
  if (a.parent !== undefined) return undefined;
  // express 4 keeps its router as `_router` (its `router` getter throws); express 5 as `router`.
  const stack = (a._router ?? a.router)?.stack;
  if (!Array.isArray(stack)) return undefined;
  let found = chains.get(route);
  if (found === undefined) {
    found = [];
    search(stack as Layer[], route, [], found, 0);
    chains.set(route, found);
  }
  let pattern: string | undefined;
  for (const chain of found) {
    const candidate = patternOf(chain, baseUrl);
    if (candidate === undefined) continue;
    // Two ways down that both fit: which one the request took cannot be told.
    if (pattern !== undefined && candidate !== pattern) return undefined;
    pattern = candidate;
  }
  return pattern;
}

function search(stack: Layer[], route: object, path: Layer[], found: Layer[][], depth: number): void {
  for (const layer of stack) {
    if (found.length >= MAX_CHAINS) return;
    if (layer === null || typeof layer !== "object") continue;
    if (layer.route === route) found.push(path);
    else if (depth < MAX_DEPTH && Array.isArray(layer.handle?.stack))
      search(layer.handle.stack as Layer[], route, [...path, layer], found, depth + 1);
  }
}

/** The chain's patterns joined, if each layer matches its part of `baseUrl` and together they make all of it. */
function patternOf(chain: Layer[], baseUrl: string): string | undefined {
  let rest = baseUrl;
  let pattern = "";
  for (const layer of chain) {
    if (!("rawPath" in layer) || typeof layer.match !== "function") return undefined;
    const match = layer.match(rest) as { path?: unknown; pattern?: unknown } | false;
    if (!match || typeof match.path !== "string" || typeof match.pattern !== "string") return undefined;
    if (!rest.startsWith(match.path)) return undefined;
    rest = rest.slice(match.path.length);
    pattern += match.pattern === "/" ? "" : match.pattern.replace(/\/+$/, "");
  }
  return rest === "" || rest === "/" ? pattern : undefined;
}
