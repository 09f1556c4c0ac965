import { execFile } from "node:child_process";
import { join } from "node:path";
import type { ProcessManager, ServedApi } from "../../lib";
import { startApi } from "../http/http-helpers";
import { TmuxSession } from "./tmux";

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
  const api = await startApi({ token: options.token, heartbeatMs: 1000 });
  return { manager: api.manager, api, label: `127.0.0.1:${api.port}` };
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `proclist <args>` as a child process (UTC clock, no colours) and collects what it printed. */
export function proclist(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: childEnv(env), timeout: 30_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
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

/**
 * The shell line a tmux spec runs `proclist top <args>` with: a mark on the screen before, then
 * top, then whether it left the terminal's modes as they were and its exit code; then the shell
 * waits, so the screen stays to be read.
 */
export function topScript(args: string): string {
  return [
    "printf 'shell screen before top\\n'",
    "before=$(stty -g)",
    `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)} top ${args}`,
    "code=$?",
    `[ "$(stty -g)" = "$before" ] && echo 'terminal modes restored' || echo 'terminal modes changed'`,
    'echo "top exited with $code"',
    "sleep 600",
  ].join("; ");
}

/**
 * `proclist top <args> --interval 250` (see `topScript`) in a tmux terminal of `width`×`height`,
 * in UTC, with `token` as PROCLIST_TOKEN (none by default) and any other `env`.
 */
export function startTop(
  args: string,
  { width = 160, height = 20, token = "", env = {} as Record<string, string> } = {},
): Promise<TmuxSession> {
  return TmuxSession.start(topScript(`${args} --interval 250`), { width, height, env: { TZ: "UTC", PROCLIST_TOKEN: token, ...env } });
}

/** The task ids in top's table (rows that start with an endpoint), top to bottom. */
export function topRows(screen: string): string[] {
  return screen
    .split("\n")
    .filter((l) => /^127\.0\.0\.1:\d+ {2}/.test(l))
    .map((l) => l.split(/ {2,}/)[1]);
}
