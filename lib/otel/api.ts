import type * as OtelApi from "@opentelemetry/api";

/** `@opentelemetry/api`'s module type; only types are imported at the top, so `import "proclist"` never loads it. */
export type Api = typeof OtelApi;

let api: Api | undefined;

/** Loads `@opentelemetry/api` on first use (an optional peer dependency); a missing package is a clear error. */
export function otelApi(): Api {
  if (api !== undefined) return api;
  try {
    api = require("@opentelemetry/api") as Api;
  } catch (error) {
    throw new Error('proclist\'s OpenTelemetry support needs the package "@opentelemetry/api": npm install @opentelemetry/api', { cause: error });
  }
  return api;
}
