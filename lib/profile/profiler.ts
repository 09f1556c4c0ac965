import { Session } from "node:inspector";
import { now } from "../core/clock";
import { loopWatch } from "../core/loop-watch";
import { attribute, type CpuProfile, type ProfileTable } from "./attribute";
import { TaskLog } from "./task-log";

/** The longest profile asked for at once. */
export const MAX_PROFILE_SECONDS = 60;
/** V8's sampling interval for these profiles: 1 ms, a thousand samples a second. */
const SAMPLING_INTERVAL_US = 1000;

/** A profile is already running in this process; `endsAt` (epoch ms) is when it ends. */
export class ProfileBusyError extends Error {
  constructor(readonly endsAt: number) {
    super(`a CPU profile is already running in this process; it ends at ${new Date(endsAt).toISOString()}`);
    this.name = "ProfileBusyError";
  }
}

/** A finished profile: V8's own (what Chrome DevTools opens) and the CPU time per task. */
export interface ProfileResult {
  table: ProfileTable;
  cpuprofile: CpuProfile;
}

/** The profile running now, for live figures (`top`'s CPU column). */
export interface RunningProfile {
  startTime: number;
  endsAt: number;
  log: TaskLog;
}

let running: RunningProfile | undefined;

/** The profile running in this process, if one is. */
export function runningProfile(): RunningProfile | undefined {
  return running;
}

/**
 * Profiles the process's CPU for `seconds` with V8's sampling profiler, in-process through
 * `node:inspector` (no add-on, no open port), and ties each sample to the task current at its
 * time (see TaskLog). One at a time per process: a second call while one runs throws
 * `ProfileBusyError`. `signal` stops it early (the table then covers the time it ran).
 */
export async function profileCpu(seconds: number, signal?: AbortSignal): Promise<ProfileResult> {
  if (!(seconds > 0 && seconds <= MAX_PROFILE_SECONDS))
    throw new RangeError(`seconds must be more than 0 and at most ${MAX_PROFILE_SECONDS}, got ${seconds}`);
  if (running !== undefined) throw new ProfileBusyError(running.endsAt);
  const log = new TaskLog();
  const startTime = now();
  const current: RunningProfile = { startTime, endsAt: startTime + seconds * 1e3, log };
  running = current;
  const session = new Session();
  try {
    session.connect();
    await post(session, "Profiler.enable");
    await post(session, "Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
    log.start();
    loopWatch.timeByTask = (start, end) => log.timeBetween(start, end);
    await post(session, "Profiler.start");
    await wait(current.endsAt - now(), signal);
    const { profile } = (await post(session, "Profiler.stop")) as { profile: CpuProfile };
    log.stop();
    return { table: attribute(profile, log, startTime, now()), cpuprofile: profile };
  } finally {
    log.stop();
    if (loopWatch.timeByTask !== undefined) loopWatch.timeByTask = undefined;
    session.disconnect();
    running = undefined;
  }
}

function post(session: Session, method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error === null ? resolve(result) : reject(error))),
  );
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}
