import { epochOfMonotonic } from "../core/clock";
import type { LoggedTask, TaskLog } from "./task-log";

/** V8's CPU profile (the Profiler domain's `Profile`), as Chrome DevTools opens it. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number; scriptId: string };
    hitCount?: number;
    children?: number[];
  }[];
  /** Microseconds on the monotonic clock. */
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** CPU time of one task name, or of one task, in a profile. */
export interface ProfileRow {
  cpuMs: number;
  /** Of the CPU time sampled (idle excluded), 0–1. */
  share: number;
}

/** What a profile found: CPU time per task name and per task, and what ran outside any task. */
export interface ProfileTable {
  /** Epoch ms. */
  startTime: number;
  endTime: number;
  samples: number;
  /** CPU time sampled: every sample but the idle ones. */
  cpuMs: number;
  idleMs: number;
  names: (ProfileRow & { name: string; tasks: number })[];
  /** The tasks with the most CPU time, at most TASK_ROWS. */
  tasks: (ProfileRow & { id: string; name: string })[];
  /** JavaScript and the runtime's own work while no task was current. */
  outside: ProfileRow;
  /** Of all CPU time, what V8 counted as garbage collection and as its own (non-JavaScript) work, by whatever task was current. */
  gcMs: number;
  programMs: number;
  /** Set when the log of context switches filled up: samples past this epoch time count as outside. */
  logFullAt?: number;
}

const TASK_ROWS = 50;
const enum Kind {
  Code,
  Idle,
  Gc,
  Program,
}

/** Gives each sample of `profile` the task current at its time by `log`, and sums CPU time per task and name. */
export function attribute(profile: CpuProfile, log: TaskLog, startTime: number, endTime: number): ProfileTable {
  const kinds = new Map<number, Kind>();
  for (const node of profile.nodes) {
    const name = node.callFrame.functionName;
    kinds.set(
      node.id,
      name === "(idle)" ? Kind.Idle : name === "(garbage collector)" ? Kind.Gc : name === "(program)" ? Kind.Program : Kind.Code,
    );
  }
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const perTask = new Map<LoggedTask, number>();
  let outsideUs = 0;
  let idleUs = 0;
  let gcUs = 0;
  let programUs = 0;
  let cpuUs = 0;
  let time = profile.startTime;
  let index = 0;
  // Every sample weighs the same, its share of the profile's time: the sampler's ticks land at
  // random points of the thread's run, but on a loaded machine they come late and unevenly (gaps
  // of 100 ms and more while the thread waits for a core), so weighing each by the gap before or
  // after it would hand whole gaps to whichever code happened to be sampled next to one.
  const weight = samples.length === 0 ? 0 : Math.max(0, profile.endTime - profile.startTime) / samples.length;
  for (let i = 0; i < samples.length; i++) {
    time += deltas[i] ?? 0;
    const kind = kinds.get(samples[i]) ?? Kind.Code;
    if (kind === Kind.Idle) {
      idleUs += weight;
      continue;
    }
    cpuUs += weight;
    if (kind === Kind.Gc) gcUs += weight;
    else if (kind === Kind.Program) programUs += weight;
    const found = log.at(epochOfMonotonic(time / 1e3), index);
    index = found.index;
    if (found.task === undefined) outsideUs += weight;
    else perTask.set(found.task, (perTask.get(found.task) ?? 0) + weight);
  }
  const share = (us: number) => (cpuUs === 0 ? 0 : us / cpuUs);
  const names = new Map<string, { us: number; tasks: number }>();
  for (const [task, us] of perTask) {
    const row = names.get(task.name) ?? { us: 0, tasks: 0 };
    row.us += us;
    row.tasks++;
    names.set(task.name, row);
  }
  const table: ProfileTable = {
    startTime,
    endTime,
    samples: samples.length,
    cpuMs: cpuUs / 1e3,
    idleMs: idleUs / 1e3,
    names: [...names]
      .map(([name, row]) => ({ name, cpuMs: row.us / 1e3, share: share(row.us), tasks: row.tasks }))
      .sort((a, b) => b.cpuMs - a.cpuMs),
    tasks: [...perTask]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TASK_ROWS)
      .map(([task, us]) => ({ id: task.id, name: task.name, cpuMs: us / 1e3, share: share(us) })),
    outside: { cpuMs: outsideUs / 1e3, share: share(outsideUs) },
    gcMs: gcUs / 1e3,
    programMs: programUs / 1e3,
  };
  if (log.fullAt !== undefined) table.logFullAt = log.fullAt;
  return table;
}
