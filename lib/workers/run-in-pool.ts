import { activeTask } from "../core/context";
import { onForce } from "../core/force";

/** What `runInPool` passes a pool's `run`: piscina's run options, with the signal it sets. */
export interface PoolRunOptions {
  signal?: AbortSignal | null | undefined;
  [option: string]: unknown;
}

/**
 * The part of a worker pool `runInPool` uses: piscina's `run(task, { signal })`, which rejects
 * with an AbortError once the signal aborts and terminates the worker thread if the work had
 * started (the pool then starts another). Typed by shape, so that proclist never loads piscina.
 */
export interface AbortablePool<R = unknown> {
  run(task: unknown, options?: PoolRunOptions): Promise<R>;
}

/**
 * Runs `task` on a piscina pool for the current task, so that a forced kill of it can stop the
 * work: the worker thread is terminated, the `run` rejects with piscina's AbortError (the task
 * ends `killed`), and the pool replaces the worker, so its next task runs normally. A plain
 * cancel leaves the work running, as it cannot see the cancel; force is what stops it. Outside a
 * task, it is `pool.run(task, options)`. A `signal` in `options` still aborts the work.
 * @example
 * const pool = new Piscina({ filename: resolve(__dirname, "report-worker.js") });
 * class Reports {
 *   @Tracked() build(spec: ReportSpec) { return runInPool(pool, spec); }
 * }
 */
export function runInPool<R>(pool: AbortablePool<R>, task: unknown, options: PoolRunOptions = {}): Promise<R> {
  const owner = activeTask();
  if (owner === undefined || !owner.running) return pool.run(task, options);
  const controller = new AbortController();
  const own = options.signal;
  const signal = own === undefined || own === null ? controller.signal : AbortSignal.any([own, controller.signal]);
  const release = onForce(owner, "worker", () => {
    if (controller.signal.aborted) return undefined;
    controller.abort(owner.cancel);
    return "worker thread terminated";
  });
  let running: Promise<R>;
  try {
    running = pool.run(task, { ...options, signal });
  } catch (error) {
    release();
    throw error;
  }
  return running.finally(release);
}
