import type { FleetReader } from "../../lib/fleet/reader";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

/**
 * The instance processes and readers the specs of the calling describe start (push them here),
 * stopped after each spec.
 */
export function stoppedAfterEach(): { instances: InstanceProcess[]; readers: FleetReader[] } {
  const started = { instances: [] as InstanceProcess[], readers: [] as FleetReader[] };
  afterEach(async () => {
    await Promise.all(started.instances.splice(0).map((i) => i.kill()));
    await Promise.all(started.readers.splice(0).map((r) => r.close()));
  });
  return started;
}

/** A child process running instance-fixture.js, with the JSON lines it printed. */
export class InstanceProcess {
  readonly lines: Record<string, unknown>[] = [];
  readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.lines.push({ text: line });
      }
    });
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  /** Starts an instance with tasks `tasks` (ids starting "forbid" have forbidCancel). */
  static start(env: {
    REDIS_URL: string;
    SERVICE: string;
    INSTANCE: string;
    TASKS?: string;
    TTL_MS?: string;
    HEARTBEAT_MS?: string;
    BULK?: string;
  }): InstanceProcess {
    const child = spawn(process.execPath, [join(__dirname, "instance-fixture.js")], {
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stderr!.resume();
    return new InstanceProcess(env.INSTANCE, child);
  }

  /** The first line with this key, once printed. */
  said(key: string): Record<string, unknown> | undefined {
    return this.lines.find((line) => key in line);
  }

  send(line: string): void {
    this.child.stdin!.write(line + "\n");
  }

  /** Ends the process (SIGKILL: no leave()) and waits for it. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

/** Three instances of `service` (a: a1,a2; b: b1,b2,forbid-b; c: c1), joined; pushed to `into` for the caller to stop. */
export async function startThree(
  redisUrl: string,
  service: string,
  into: InstanceProcess[],
  extra: { TTL_MS?: string; HEARTBEAT_MS?: string } = {},
): Promise<InstanceProcess[]> {
  const started = [
    ["a", "a1,a2"],
    ["b", "b1,b2,forbid-b"],
    ["c", "c1"],
  ].map(([name, tasks]) => InstanceProcess.start({ REDIS_URL: redisUrl, SERVICE: service, INSTANCE: name, TASKS: tasks, ...extra }));
  into.push(...started);
  const deadline = Date.now() + 30_000;
  while (!started.every((i) => i.said("joined") || i.said("error"))) {
    if (Date.now() > deadline) throw new Error("the instances did not join within 30 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return started;
}

const cli = join(__dirname, "../../lib/cli/main.js");

/** Runs `proclist …` and resolves with its exit code and output. */
export function proclist(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 30_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
  });
}

/** Who the command records with its kills on this machine: `cli:<the user the specs run as>@<host>`. */
export const CLI_BY = `cli:${userInfo().username}@${hostname()}`;
