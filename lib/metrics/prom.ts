import type * as PromClient from "prom-client";
import { optionalPeer } from "../core/optional-peer";

/** `prom-client`'s module type; only types are imported at the top, so `import "proclist"` never loads it. */
export type Prom = typeof PromClient;

/** Loads `prom-client` on first use (an optional peer dependency); a missing package is a clear error. */
export const promClient = optionalPeer<Prom>("prom-client", "proclist's Prometheus metrics");
