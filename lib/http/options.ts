import type { IncomingMessage } from "node:http";
import { ProcessManager } from "../core/manager";
import { optionChecker, type Checker } from "../schema/validation";
import type { AuditSink } from "../audit/log";
import { Grant } from "./access/rights";
import { checkMetrics, type MetricsOptions } from "../metrics/register";
import { STRING_ATTRS_MODES, type StringAttrsMode } from "./original-clients";

/** Options of `createApp()`. Every field is optional. */
export interface AppOptions {
  /** The manager to serve; default: the container's `ProcessManager` (`container.resolve`). */
  manager?: ProcessManager | undefined;
  /**
   * Requires `Authorization: Bearer <token>` on every request. A string is one token; an object
   * maps labels to tokens (`{ alice: "…", ci: "…" }`), and the label is recorded with each kill.
   * A token given as `{ token, can }` has only the rights listed: `read`, `cancel`, `force`,
   * `profile`, `audit`, and `cancel:<glob>` / `force:<glob>` for task names matching the glob
   * (`{ alice: { token: "…", can: ["read", "cancel:Reports.*"] } }`); a plain string has them all.
   * Default: the `PROCLIST_TOKEN` environment variable, else no token.
   */
  token?: string | Record<string, string | ScopedToken> | undefined;
  /** Origins allowed to read and call the API from a browser, e.g. `["http://localhost:5173"]`. No wildcard. Default none. */
  cors?: string[] | undefined;
  /**
   * With no token, refuse every request from a peer that is not on loopback (403), as Redis's
   * protected mode does: attributes carry URIs and user names. Default true; set a token, or
   * false here, to allow remote access.
   */
  protectedMode?: boolean | undefined;
  /**
   * Host names (without port) that requests may address besides IP literals and `localhost`.
   * With no token, protected mode refuses requests from loopback peers to any other Host: that
   * is how a web page reaches a loopback API through DNS rebinding. Default none.
   */
  allowedHosts?: string[] | undefined;
  /**
   * The address of the peer that sent a request, used by protected mode and recorded with kills.
   * Default: the socket's remote address. Behind a trusted proxy, read its header here.
   */
  peer?: ((req: IncomingMessage) => string | undefined) | undefined;
  /** Milliseconds between keep-alive comments on an event stream. Default 15,000. */
  heartbeatMs?: number | undefined;
  /** Bytes an event stream may have waiting for a slow client before that client is dropped. Default 1 MiB. */
  eventBufferBytes?: number | undefined;
  /** Event streams open at once; more are refused with 429. Default 64. */
  maxEventClients?: number | undefined;
  /**
   * Events kept for clients that reconnect with `Last-Event-ID` (also for 60 s after the last
   * client left); one further behind gets a `reset` event. 0 keeps none. Default 10,000.
   */
  eventReplay?: number | undefined;
  /** How long events are still kept for replay after the last client left, in ms. Default 60,000. */
  eventReplayKeepMs?: number | undefined;
  /**
   * Filtered, sorted or finished-list answers (`?sort=`, `?attr.k=`, `/procs/finished`…) being made
   * and sent at once; more are refused with 503 and `Retry-After: 1`. Default 16.
   */
  maxListQueries?: number | undefined;
  /**
   * Link template for a task's trace, e.g. `"https://tempo.example/trace/{traceId}"` (`{spanId}`
   * works too): the history answer, the page and `proclist history` then show the link. Default none.
   */
  traceUrl?: string | undefined;
  /**
   * Serves `GET /metrics` (Prometheus text format 0.0.4) behind the same token and protected-mode
   * rules: `true`, or `{ buckets }` for the duration histogram's bounds in seconds. Default off.
   */
  metrics?: boolean | MetricsOptions | undefined;
  /**
   * Which answers give attribute values as strings (`3` as `"3"`, an object as its JSON text), for
   * the original Go library's clients, whose monitor panics on any value that is not a string:
   * `"go"` those whose User-Agent is the Go client's (`go-pm`, `Go-http-client/…`), `"always"`,
   * or `"never"`. Everyone else gets the typed values. Default `"go"`.
   */
  stringAttrs?: StringAttrsMode | undefined;
  /**
   * Where audit entries go besides memory (`GET /audit` shows the last 1,000): every kill, forced
   * kill, kill by filter and refused attempt is one entry, handed over after the kill's answer is
   * decided (a sink that throws or rejects never changes it). `auditFile(path)` writes JSON lines
   * with rotation. Default: memory only.
   */
  audit?: AuditSink | undefined;
}

/** A token with only some rights: `{ token: "…", can: ["read", "cancel:Reports.*"] }`. */
export interface ScopedToken {
  token: string;
  /** `read`, `cancel`, `force`, `profile`, `audit`, `cancel:<glob>`, `force:<glob>`. */
  can: string[];
}

/** Options of `serve()`: the app's, plus where to listen. */
export interface ServeOptions extends AppOptions {
  /** Default "127.0.0.1": loopback only. */
  host?: string | undefined;
  /** Default 8081; 0 picks a free port (see the `port` of the result). */
  port?: number | undefined;
}

/** The app's options with defaults applied and tokens resolved. */
export interface AppConfig extends HttpConfig {
  manager: ProcessManager;
}

/** What the HTTP layer needs whatever it serves (one manager, or a fleet): access rules and stream bounds. */
export interface HttpConfig {
  /** label → token; the label is "" for a single unlabelled token. */
  tokens: ReadonlyMap<string, string>;
  /** label → the token's rights. */
  grants: ReadonlyMap<string, Grant>;
  cors: ReadonlySet<string>;
  protectedMode: boolean;
  allowedHosts: ReadonlySet<string>;
  peer: (req: IncomingMessage) => string | undefined;
  heartbeatMs: number;
  eventBufferBytes: number;
  maxEventClients: number;
  eventReplay: number;
  eventReplayKeepMs: number;
  maxListQueries: number;
  traceUrl: string | undefined;
  /** The metrics options when `/metrics` is served, else undefined. */
  metrics: MetricsOptions | undefined;
  audit: AuditSink | undefined;
  stringAttrs: StringAttrsMode;
}

const appProperties = {
  manager: { type: "object" },
  // The labelled form is checked entry by entry in tokenConfig, to name what is wrong.
  token: {
    anyOf: [
      { type: "string", minLength: 1, maxLength: 4096, pattern: "^\\S+$" },
      { type: "object", minProperties: 1 },
    ],
  },
  cors: { type: "array", items: { type: "string", pattern: "^https?://[^/*\\s]+$" } },
  protectedMode: { type: "boolean" },
  allowedHosts: { type: "array", items: { type: "string", pattern: "^[^\\s/:@]+$", maxLength: 253 } },
  peer: { isFunction: true },
  audit: { isFunction: true },
  heartbeatMs: { type: "integer", minimum: 10, maximum: 3_600_000 },
  eventBufferBytes: { type: "integer", minimum: 1024, maximum: 1 << 30 },
  maxEventClients: { type: "integer", minimum: 1, maximum: 100_000 },
  eventReplay: { type: "integer", minimum: 0, maximum: 1_000_000 },
  eventReplayKeepMs: { type: "integer", minimum: 0, maximum: 86_400_000 },
  maxListQueries: { type: "integer", minimum: 1, maximum: 100_000 },
  metrics: { anyOf: [{ type: "boolean" }, { type: "object" }] },
  traceUrl: { type: "string", maxLength: 2048, pattern: "^https?://\\S*\\{traceId\\}\\S*$" },
  stringAttrs: { enum: STRING_ATTRS_MODES },
} as const;

const checkApp: Checker<AppOptions> = optionChecker<AppOptions>(
  { type: "object", additionalProperties: false, properties: appProperties },
  "option",
);
const checkServe: Checker<ServeOptions> = optionChecker<ServeOptions>(
  {
    type: "object",
    additionalProperties: false,
    properties: {
      ...appProperties,
      host: { type: "string", minLength: 1, maxLength: 255 },
      port: { type: "integer", minimum: 0, maximum: 65535 },
    },
  },
  "option",
);

/** Throws a TypeError naming the option and the value when `options` is not valid ServeOptions. */
export function checkServeOptions(options: unknown): asserts options is ServeOptions {
  checkWildcard(options);
  checkServe(options);
  checkManager(options.manager);
}

/** Validates app options (TypeError naming the option and value) and applies the defaults. */
export function resolveAppOptions(options: unknown, defaultManager: () => ProcessManager): AppConfig {
  const config = resolveHttpOptions(options);
  return { ...config, manager: (options as AppOptions).manager ?? defaultManager() };
}

/** Validates app options (TypeError naming the option and value) and applies the defaults, leaving the manager out. */
export function resolveHttpOptions(options: unknown): HttpConfig {
  checkWildcard(options);
  checkApp(options);
  checkManager(options.manager);
  if (typeof options.metrics === "object") checkMetrics(options.metrics);
  const { tokens, grants } = tokenConfig(options.token ?? envToken());
  return {
    tokens,
    grants,
    cors: new Set(options.cors ?? []),
    protectedMode: options.protectedMode ?? true,
    allowedHosts: new Set((options.allowedHosts ?? []).map((host) => host.toLowerCase())),
    peer: options.peer === undefined ? (req) => req.socket.remoteAddress : safePeer(options.peer),
    heartbeatMs: options.heartbeatMs ?? 15_000,
    eventBufferBytes: options.eventBufferBytes ?? 1 << 20,
    maxEventClients: options.maxEventClients ?? 64,
    eventReplay: options.eventReplay ?? 10_000,
    eventReplayKeepMs: options.eventReplayKeepMs ?? 60_000,
    maxListQueries: options.maxListQueries ?? 16,
    traceUrl: options.traceUrl,
    metrics: options.metrics === true ? {} : options.metrics === false ? undefined : options.metrics,
    audit: options.audit,
    stringAttrs: options.stringAttrs ?? "go",
  };
}

/** A user's peer function that throws must not take the server down: its peer is then unknown (not loopback). */
function safePeer(peer: (req: IncomingMessage) => string | undefined): (req: IncomingMessage) => string | undefined {
  return (req) => {
    try {
      const address = peer(req);
      return typeof address === "string" ? address : undefined;
    } catch {
      return undefined;
    }
  };
}

function checkWildcard(options: unknown): void {
  const cors = (options as { cors?: unknown } | null)?.cors;
  if (Array.isArray(cors) && cors.includes("*")) {
    throw new TypeError(
      `invalid option "cors" ["*"]: a wildcard would let any web page read and cancel tasks; list the origins, e.g. ["http://localhost:5173"]`,
    );
  }
}

function checkManager(manager: unknown): void {
  if (manager !== undefined && !(manager instanceof ProcessManager)) {
    throw new TypeError(`invalid option "manager": must be a ProcessManager, got ${manager === null ? "null" : typeof manager}`);
  }
}

function envToken(): string | undefined {
  const token = process.env.PROCLIST_TOKEN;
  if (token === undefined || token === "") return undefined;
  checkToken(token, "PROCLIST_TOKEN");
  return token;
}

/**
 * Tokens and their rights by label. Refuses (TypeError naming the entry) an empty or blank token,
 * a scoped one without `token` or with an unknown right, and two labels sharing one token value
 * (the server could not tell who called).
 */
function tokenConfig(token: string | Record<string, unknown> | undefined): { tokens: Map<string, string>; grants: Map<string, Grant> } {
  const tokens = new Map<string, string>();
  const grants = new Map<string, Grant>();
  if (token === undefined) return { tokens, grants };
  if (typeof token === "string") {
    checkToken(token, 'option "token"');
    tokens.set("", token);
    grants.set("", Grant.full());
    return { tokens, grants };
  }
  const owners = new Map<string, string>();
  for (const [label, entry] of Object.entries(token)) {
    const where = `token.${label}`;
    const scoped = typeof entry === "object" && entry !== null && !Array.isArray(entry);
    const value = scoped ? (entry as { token?: unknown }).token : entry;
    const at = scoped ? `${where}.token` : where;
    if (typeof value !== "string")
      throw new TypeError(`invalid option "${at}": must be a string token, got ${value === null ? "null" : typeof value}`);
    if (value === "") throw new TypeError(`invalid option "${at}": the token is empty`);
    checkToken(value, `option "${at}"`);
    if (scoped) {
      const extra = Object.keys(entry).find((key) => key !== "token" && key !== "can");
      if (extra !== undefined)
        throw new TypeError(`invalid option "${where}": unknown field ${JSON.stringify(extra)}; a scoped token is { token, can }`);
    }
    const other = owners.get(value);
    if (other !== undefined)
      throw new TypeError(
        `invalid option "token": "${other}" and "${label}" have the same token; each label needs its own, or kills could not say who asked`,
      );
    owners.set(value, label);
    tokens.set(label, value);
    grants.set(label, scoped ? Grant.parse(label, (entry as { can?: unknown }).can, `${where}.can`) : Grant.full(label));
  }
  return { tokens, grants };
}

/**
 * Refuses, naming where it was given, a token a bearer header cannot carry, so that it is said at
 * start rather than answered 401 forever: only visible ASCII, since a header reaches the server as
 * bytes read one per character (`€`, sent as UTF-8 or not at all, or a control character could never
 * match), and at most 4,096 characters.
 */
function checkToken(token: string, where: string): void {
  if (token.length > 4096 || !/^[\x21-\x7e]+$/.test(token))
    throw new TypeError(
      `invalid ${where}: a token is 1-4096 characters without spaces or line breaks, in visible ASCII (what a header can carry)`,
    );
}
