import type * as PromClient from "prom-client";

/** `prom-client`'s module type; only types are imported at the top, so `import "proclist"` never loads it. */
export type Prom = typeof PromClient;

let prom: Prom | undefined;

/** Loads `prom-client` on first use (an optional peer dependency); a missing package is a clear error. */
export function promClient(): Prom {
  if (prom !== undefined) return prom;
  try {
    prom = require("prom-client") as Prom;
  } catch (error) {
    throw new Error('proclist\'s Prometheus metrics need the package "prom-client": npm install prom-client', { cause: error });
  }
  return prom;
}
