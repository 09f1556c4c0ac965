import { fork } from "node:child_process";
import { join } from "node:path";
import type { CaseOptions, Figures } from "./cases/case";

/** Runs a case in a fresh Node process (with `--expose-gc`) and resolves to its figures. */
export function runCase(name: string, options: CaseOptions, execArgv: string[] = []): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, "child.js"), [name, JSON.stringify(options)], {
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
