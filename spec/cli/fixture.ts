import { execFile } from "node:child_process";
import { join } from "node:path";
import { ProcessManager, serve, type ServedApi, type TaskOptions } from "../../lib";

/** The built command, run the way npm's bin link runs it. */
export const MAIN = join(__dirname, "..", "..", "lib", "cli", "main.js");

/** One real proclist server with its own manager. */
export interface Site {
  manager: ProcessManager;
  api: ServedApi;
  /** How the command shows this endpoint: `127.0.0.1:<port>`. */
  label: string;
}

/** Starts a proclist server on port 0 for a fresh manager. */
export async function site(options: { token?: string } = {}): Promise<Site> {
  const manager = new ProcessManager();
  const api = await serve({ port: 0, manager, token: options.token, heartbeatMs: 1000 });
  return { manager, api, label: `127.0.0.1:${api.port}` };
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

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `proclist <args>` as a child process (UTC clock, no colours) and collects what it printed. */
export function proclist(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: childEnv(env), timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The spec's environment for a child: UTC clock, no colours, no token unless the spec gives one. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: "UTC", NO_COLOR: "1", ...extra };
  if (extra.PROCLIST_TOKEN === undefined) delete env.PROCLIST_TOKEN;
  return env;
}
