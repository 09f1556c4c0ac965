import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { tick } from "../helpers";

const run = promisify(execFile);

/**
 * A real pseudo-terminal: a detached tmux session on a private socket (so the spec never meets a
 * user's sessions), driven with send-keys and read with capture-pane.
 */
export class TmuxSession {
  private readonly socket = `proclist-spec-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  private constructor(private readonly name: string) {}

  /** Starts `command` (run by sh) in a new session of the given size, with these environment variables set. */
  static async start(command: string, options: { width: number; height: number; env: Record<string, string> }): Promise<TmuxSession> {
    const session = new TmuxSession("top");
    const env = Object.entries(options.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    await session.tmux("new-session", "-d", "-s", session.name, "-x", String(options.width), "-y", String(options.height), ...env, command);
    return session;
  }

  /** The visible screen as text (with its SGR escapes when `escapes`), trailing blank lines dropped. */
  async screen(escapes = false): Promise<string> {
    return (await this.tmux("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", this.name)).replace(/\n+$/, "");
  }

  /** Sends keys by tmux name (`Down`, `q`, `+`), one by one. */
  async keys(...keys: string[]): Promise<void> {
    for (const key of keys) await this.tmux("send-keys", "-t", this.name, key);
  }

  /** Polls the screen until `test` passes; fails with the last screen after `timeoutMs`. */
  async waitFor(what: string, test: (screen: string) => boolean, timeoutMs = 20_000, escapes = false): Promise<string> {
    const until = performance.now() + timeoutMs;
    let screen = "";
    while (performance.now() < until) {
      screen = await this.screen(escapes);
      if (test(screen)) return screen;
      await tick(50);
    }
    throw new Error(`timed out waiting for ${what}; the screen was:\n${screen}`);
  }

  /** Ends this session's private tmux server and everything running in it. */
  async close(): Promise<void> {
    await this.tmux("kill-server").catch(() => undefined);
  }

  private async tmux(...args: string[]): Promise<string> {
    return (await run("tmux", ["-L", this.socket, "-f", "/dev/null", ...args], { env: { ...process.env, TMUX: "" } })).stdout;
  }
}
