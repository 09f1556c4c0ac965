import type * as OtelApi from "@opentelemetry/api";
import { optionalPeer } from "../core/optional-peer";

/** `@opentelemetry/api`'s module type; only types are imported at the top, so `import "proclist"` never loads it. */
export type Api = typeof OtelApi;

/** Loads `@opentelemetry/api` on first use (an optional peer dependency); a missing package is a clear error. */
export const otelApi = optionalPeer<Api>("@opentelemetry/api", "proclist's OpenTelemetry support");
