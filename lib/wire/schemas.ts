import { compile } from "../schema/validation";

/**
 * JSON Schemas of the wire shapes (see shapes.ts), shared by the server's specs and the client,
 * so that both sides agree and a garbled answer is caught where it arrives. Extra fields are
 * allowed everywhere: the original's clients ignore them, and ours must read newer servers.
 */
const timeSchema = {
  type: "string",
  // RFC 3339: the Go original writes local offsets and nanoseconds, proclist UTC and microseconds.
  pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$",
} as const;

const waitsSchema = {
  type: "array",
  items: {
    type: "object",
    required: ["kind", "target", "since"],
    properties: { kind: { type: "string" }, target: { type: "string" }, since: timeSchema },
  },
} as const;

const procSchema = {
  type: "object",
  required: ["id", "procTime", "statusTime", "status"],
  properties: {
    id: { type: "string" },
    attrs: { type: "object" },
    procTime: timeSchema,
    statusTime: timeSchema,
    status: { type: "string" },
    cancelling: { type: "boolean" },
    name: { type: "string" },
    parent: { type: "string" },
    forbidCancel: { type: "boolean" },
    ignoringCancelSince: timeSchema,
    traceId: { type: "string" },
    spanId: { type: "string" },
    instance: { type: "string" },
    boot: { type: "string" },
    waits: waitsSchema,
  },
} as const;

const procListSchema = {
  type: "object",
  required: ["procs", "serverTime"],
  properties: { procs: { type: "array", items: procSchema }, serverTime: timeSchema },
} as const;

const historySchema = {
  type: "object",
  required: ["history", "serverTime"],
  properties: {
    history: {
      type: "array",
      // Every task has at least its first entry ("init"), and the bound keeps it.
      minItems: 1,
      items: { type: "object", required: ["ts", "status"], properties: { ts: timeSchema, status: { type: "string" } } },
    },
    serverTime: timeSchema,
    dropped: { type: "integer", minimum: 0 },
    traceUrl: { type: "string" },
    waits: {
      type: "array",
      items: {
        type: "object",
        required: ["since", "kind", "target", "durationMs", "outcome"],
        properties: {
          since: timeSchema,
          kind: { type: "string" },
          target: { type: "string" },
          durationMs: { type: "number", minimum: 0 },
          outcome: { enum: ["ok", "error", "aborted"] },
        },
      },
    },
    droppedWaits: { type: "integer", minimum: 0 },
  },
} as const;

const outcomeSchema = { enum: ["ended", "killed", "aborted"] } as const;

const finishedProcSchema = {
  type: "object",
  required: [...procSchema.required, "outcome", "endTime", "durationMs"],
  properties: {
    ...procSchema.properties,
    outcome: outcomeSchema,
    endTime: timeSchema,
    durationMs: { type: "number", minimum: 0 },
    killedBy: { type: "string" },
    error: { type: "string" },
  },
} as const;

const finishedListSchema = {
  type: "object",
  required: ["finished", "serverTime"],
  properties: {
    finished: { type: "array", items: finishedProcSchema },
    serverTime: timeSchema,
    keepFinished: { type: "integer", minimum: 0 },
  },
} as const;

const taskSchema = {
  type: "object",
  required: ["proc", "running", "serverTime"],
  properties: { proc: procSchema, running: { type: "boolean" }, serverTime: timeSchema },
} as const;

/** How a forced kill went (`WireForce`). */
export const forceSchema = {
  type: "object",
  required: ["graceMs", "ended", "cooperated", "rungs", "ignoringCancel"],
  properties: {
    graceMs: { type: "integer", minimum: 0 },
    ended: { type: "boolean" },
    outcome: { enum: ["ended", "killed", "aborted"] },
    cooperated: { type: "boolean" },
    rungs: { type: "array", maxItems: 3, items: { enum: ["request", "waits", "worker"] } },
    ignoringCancel: { type: "boolean" },
  },
} as const;

const killedSchema = {
  type: "object",
  required: ["id", "cancelling", "serverTime"],
  properties: {
    id: { type: "string" },
    cancelling: { const: true },
    message: { type: "string" },
    force: forceSchema,
    serverTime: timeSchema,
  },
} as const;

const ids = { type: "array", items: { type: "string" } } as const;

/** The forced kills of a kill by filter, each with its task's id. */
export const forcedSchema = {
  type: "array",
  items: { ...forceSchema, required: [...forceSchema.required, "id"], properties: { ...forceSchema.properties, id: { type: "string" } } },
} as const;

const killedWhereSchema = {
  type: "object",
  required: ["cancelled", "refused", "serverTime"],
  properties: {
    cancelled: ids,
    refused: ids,
    message: { type: "string" },
    forced: forcedSchema,
    omitted: { type: "integer", minimum: 0 },
    unanswered: {
      type: "array",
      items: { type: "object", required: ["instance", "reason"], properties: { instance: { type: "string" }, reason: { type: "string" } } },
    },
    serverTime: timeSchema,
  },
} as const;

const count = { type: "integer", minimum: 0 } as const;
const ms = { type: "number", minimum: 0 } as const;

const totalsSchema = { type: "object", required: ["count", "seconds"], properties: { count, seconds: ms } } as const;

const loopSchema = {
  type: "object",
  required: ["delayMs", "blocked", "unattributed", "recentBlocks"],
  properties: {
    delayMs: { type: "object", required: ["p50", "p99", "max", "windowMs"], properties: { p50: ms, p99: ms, max: ms, windowMs: ms } },
    blocked: {
      type: "array",
      items: { type: "object", required: ["name", "count", "seconds"], properties: { name: { type: "string" }, count, seconds: ms } },
    },
    unattributed: totalsSchema,
    recentBlocks: {
      type: "array",
      items: {
        type: "object",
        required: ["endTime", "ms"],
        properties: { endTime: timeSchema, ms, name: { type: "string" }, id: { type: "string" } },
      },
    },
  },
} as const;

const profileRow = { cpuMs: ms, share: { type: "number", minimum: 0, maximum: 1 } } as const;

const profileTableSchema = {
  type: "object",
  required: ["startTime", "endTime", "samples", "cpuMs", "idleMs", "names", "tasks", "outside", "gcMs", "programMs"],
  properties: {
    startTime: timeSchema,
    endTime: timeSchema,
    samples: count,
    cpuMs: ms,
    idleMs: ms,
    names: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "cpuMs", "share", "tasks"],
        properties: { name: { type: "string" }, tasks: count, ...profileRow },
      },
    },
    tasks: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "name", "cpuMs", "share"],
        properties: { id: { type: "string" }, name: { type: "string" }, ...profileRow },
      },
    },
    outside: { type: "object", required: ["cpuMs", "share"], properties: profileRow },
    gcMs: ms,
    programMs: ms,
    logFullAt: timeSchema,
  },
} as const;

const profileSchema = {
  type: "object",
  required: ["profile", "serverTime"],
  properties: { serverTime: timeSchema, profile: profileTableSchema },
} as const;

/** serveFleet's `GET /procs/profile`: each instance's table, or its status and error. */
const fleetProfileSchema = {
  type: "object",
  required: ["profiles", "serverTime"],
  properties: {
    serverTime: timeSchema,
    profiles: {
      type: "array",
      items: {
        type: "object",
        required: ["instance"],
        properties: { instance: { type: "string" }, profile: profileTableSchema, status: { type: "integer" }, error: { type: "string" } },
      },
    },
  },
} as const;

const statsSchema = {
  type: "object",
  required: ["stats", "serverTime"],
  properties: {
    serverTime: timeSchema,
    loop: loopSchema,
    profiling: {
      type: "object",
      required: ["startTime", "endsAt", "tasks"],
      properties: {
        startTime: timeSchema,
        endsAt: timeSchema,
        tasks: {
          type: "array",
          items: {
            type: "object",
            required: ["id", "name", "cpuMs"],
            properties: { id: { type: "string" }, name: { type: "string" }, cpuMs: ms },
          },
        },
      },
    },
    stats: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "running", "started", "ended", "killed", "aborted", "latencyMs", "phases"],
        properties: {
          name: { type: "string" },
          running: count,
          started: count,
          ended: count,
          killed: count,
          aborted: count,
          latencyMs: {
            type: "object",
            required: ["count", "p50", "p90", "p99", "max"],
            properties: { count, p50: ms, p90: ms, p99: ms, max: ms },
          },
          phases: {
            type: "object",
            additionalProperties: { type: "object", required: ["count", "totalMs"], properties: { count, totalMs: ms } },
          },
          waits: {
            type: "object",
            additionalProperties: { type: "object", required: ["count", "totalMs"], properties: { count, totalMs: ms } },
          },
        },
      },
    },
  },
} as const;

const errorSchema = {
  type: "object",
  required: ["error"],
  properties: { error: { type: "string" } },
} as const;

const eventSchema = {
  type: "object",
  required: ["type", "ts"],
  properties: {
    type: { enum: ["start", "status", "attr", "kill", "done", "reset", "wait"] },
    ts: timeSchema,
    id: { type: "string" },
    proc: procSchema,
    status: { type: "string" },
    ignoringCancelSince: timeSchema,
    key: { type: "string" },
    deleted: { type: "boolean" },
    message: { type: "string" },
    by: { type: "string" },
    outcome: outcomeSchema,
    durationMs: ms,
    error: { type: "string" },
    reason: { type: "string" },
    waits: waitsSchema,
  },
} as const;

const idList = { type: "array", items: { type: "string" } };
/** One audit entry (`AuditEntry`): what `GET /audit` lists, and what a fleet reads back from its Redis stream. */
const auditEntrySchema = {
  type: "object",
  required: ["ts", "action", "by", "outcome", "status"],
  properties: {
    ts: timeSchema,
    action: { enum: ["kill", "force", "kill-where"] },
    by: { type: "string" },
    token: { type: "string" },
    peer: { type: "string" },
    id: { type: "string" },
    name: { type: "string" },
    filter: {
      type: "object",
      additionalProperties: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
    },
    message: { type: "string" },
    cancelled: idList,
    refused: idList,
    rungs: { type: "array" },
    outcome: { enum: ["cancelled", "refused", "failed"] },
    status: { type: "integer" },
    error: { type: "string" },
    omitted: count,
    droppedBefore: count,
  },
} as const;
const auditListSchema = {
  type: "object",
  required: ["entries", "serverTime"],
  properties: { serverTime: timeSchema, entries: { type: "array", items: auditEntrySchema } },
} as const;

const whoamiSchema = {
  type: "object",
  required: ["label", "can"],
  properties: { label: { type: "string" }, can: { type: "array", items: { type: "string" } } },
} as const;

/** Validators built once (at build time: see schema/validation). Read `.errors` right after a call: the next call overwrites it. */
export const validateWire = {
  procList: compile(procListSchema),
  proc: compile(procSchema),
  history: compile(historySchema),
  finishedList: compile(finishedListSchema),
  task: compile(taskSchema),
  killed: compile(killedSchema),
  killedWhere: compile(killedWhereSchema),
  stats: compile(statsSchema),
  profile: compile(profileSchema),
  /** A server's profile answer or a fleet API's. */
  anyProfile: compile({ anyOf: [profileSchema, fleetProfileSchema] }),
  error: compile(errorSchema),
  event: compile(eventSchema),
  auditList: compile(auditListSchema),
  auditEntry: compile(auditEntrySchema),
  whoami: compile(whoamiSchema),
};
