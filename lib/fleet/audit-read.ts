import type { AuditEntry } from "../audit/entry";
import type { AuditQuery } from "../audit/log";
import { AuditStream } from "./audit-stream";
import { FleetReader } from "./reader";

/** Reads a service's audit stream straight from Redis (`proclist audit --redis`), newest first. */
export async function readFleetAudit(
  options: { redis?: string; service?: string; timeout: number },
  query: AuditQuery,
): Promise<AuditEntry[]> {
  const reader = new FleetReader({ redis: options.redis!, service: options.service ?? "default", timeoutMs: options.timeout });
  try {
    await reader.connected();
    return await new AuditStream(reader.connection, reader.keys.audit, 100_000).read(query);
  } finally {
    await reader.close();
  }
}
