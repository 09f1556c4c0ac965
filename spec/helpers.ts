import { createServer } from "node:http";
import type { AddressInfo, Server } from "node:net";
import { ProcessManager } from "../lib";
import type { ManagerOptions, TaskOptions } from "../lib";

/** Each spec owns its manager: never the container's root singleton. */
export function freshManager(options: Partial<ManagerOptions> = {}): ProcessManager {
  return new ProcessManager(options);
}

/** The statuses of a task's history, in order. */
export function statuses(pm: ProcessManager, id: string): string[] {
  return pm.history(id).map((entry) => entry.status);
}

/** Resolves after the current macrotask queue drains: lets awaited work reach its next step. */
export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Captures what a function throws (sync) so specs can assert on the error class. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

/** Captures what a promise rejects with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

const releases = new Set<() => void>();

/**
 * Starts a task that runs until killed, as real code does: it waits on its signal. The returned
 * promise settles when the task ends (rejected with the CancelError once killed), or resolves
 * at `releaseAll()`.
 */
export function blocked(manager: ProcessManager, id: string, options: TaskOptions & { statuses?: string[] } = {}): Promise<unknown> {
  const { statuses = [], ...taskOptions } = options;
  const ended = manager.run(
    (task) => {
      for (const status of statuses) task.status(status);
      return new Promise<void>((resolve, reject) => {
        const release = () => {
          releases.delete(release);
          resolve();
        };
        releases.add(release);
        task.signal.addEventListener("abort", () => (releases.delete(release), reject(task.signal.reason)), { once: true });
      });
    },
    { id, ...taskOptions },
  );
  ended.catch(() => undefined);
  return ended;
}

/** Ends every task `blocked()` started that is still running, normally. */
export function releaseAll(): void {
  for (const release of [...releases]) release();
}

/** Listens on a free port of 127.0.0.1; resolves to the port and the base URL (no trailing slash). */
export async function listenOnLoopback(server: Server): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { port, url: `http://127.0.0.1:${port}` };
}

/** mulberry32: a small seeded generator, so a failure names the seed that reproduces it. */
export function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick, chance: (p: number) => next() < p };
}

/** Polls `check` until it returns a truthy value (or stops throwing), for at most `ms`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, ms = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A loopback HTTP server that never answers, for the `describe` that calls this (started before
 * its specs, closed after): what a stuck task awaits without passing its signal. `url` is set once it listens.
 */
export function silentServer(): { url: string } {
  const server = createServer(() => undefined);
  const silent = { url: "" };
  before(async () => {
    silent.url = (await listenOnLoopback(server)).url;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return silent;
}
