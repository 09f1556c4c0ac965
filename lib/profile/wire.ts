import type { WireProfile } from "../wire/shapes";
import type { ProfileTable } from "./attribute";

/** The wire form of a table; `format` writes epoch ms as the wire's time text. */
export function wireProfile(table: ProfileTable, format: (ms: number) => string): WireProfile {
  const wire: WireProfile = {
    startTime: format(table.startTime),
    endTime: format(table.endTime),
    samples: table.samples,
    cpuMs: micro(table.cpuMs),
    idleMs: micro(table.idleMs),
    names: table.names.map((row) => ({ name: row.name, cpuMs: micro(row.cpuMs), share: ratio(row.share), tasks: row.tasks })),
    tasks: table.tasks.map((row) => ({ id: row.id, name: row.name, cpuMs: micro(row.cpuMs), share: ratio(row.share) })),
    outside: { cpuMs: micro(table.outside.cpuMs), share: ratio(table.outside.share) },
    gcMs: micro(table.gcMs),
    programMs: micro(table.programMs),
  };
  if (table.logFullAt !== undefined) wire.logFullAt = format(table.logFullAt);
  return wire;
}

function micro(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function ratio(share: number): number {
  return Math.round(share * 1e4) / 1e4;
}
