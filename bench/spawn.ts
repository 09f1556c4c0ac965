import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { CaseOptions, Figures } from "./cases/case";

/** The Node binary that runs cases and servers: this one, unless the runner chose another. */
let nodeBinary = process.execPath;

/** Runs the cases and servers started from now on under `path` (another Node release, say). */
export function useNodeBinary(path: string): void {
  nodeBinary = path;
}

/** The Node binary cases and servers run under. */
export function nodeBinaryInUse(): string {
  return nodeBinary;
}

/** Runs a case in a fresh Node process (with `--expose-gc`) and resolves to its figures. */
export function runCase(name: string, options: CaseOptions, execArgv: string[] = []): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, "child.js"), [name, JSON.stringify(options)], {
      execPath: nodeBinary,
      execArgv: ["--expose-gc", ...execArgv],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let figures: Figures | undefined;
    child.on("message", (message) => (figures = message as Figures));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (figures !== undefined) resolve(figures);
      else reject(new Error(`bench case ${name} exited with code ${code} and no figures`));
    });
  });
}

/** A benchmark server running in its own process. */
export interface RunningServer {
  /** What the server sent once listening (its ports, sizes…). */
  info: Figures;
  /** The CPU time the server process has used so far, in µs (all its threads). */
  cpu(): Promise<number>;
  /** Asks the server a question it answers over IPC (e.g. "latency"), resolving to its answer. */
  ask(question: string): Promise<Figures>;
  stop(): Promise<void>;
}

/**
 * Starts `bench/servers/<name>` in a fresh process. Not pinned to a core: on a shared machine the
 * scheduler moving it away from other work does better than a fixed core (measured: pinned runs
 * lost up to 10× to whatever else ran on that core).
 */
export function startServer(name: string, options: CaseOptions): Promise<RunningServer> {
  const child: ChildProcess = fork(join(__dirname, "server-child.js"), [name, JSON.stringify(options)], {
    execPath: nodeBinary,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`bench server ${name} exited with code ${code} before listening`)));
    child.once("message", (info) => {
      child.removeAllListeners("exit");
      resolve({
        info: info as Figures,
        cpu: () =>
          new Promise<number>((answer) => {
            child.once("message", (usage) => answer((usage as { cpu: number }).cpu));
            child.send("cpu");
          }),
        ask: (question) =>
          new Promise<Figures>((answer) => {
            child.once("message", (reply) => answer(reply as Figures));
            child.send(question);
          }),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.disconnect();
          }),
      });
    });
  });
}
