import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";

/** A burning-server child: its endpoint label, and how to stop it. */
export interface BurningServer {
  label: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function burningServer(): Promise<BurningServer> {
  const child = spawn(process.execPath, [join(__dirname, "burning-server.js")], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout!.setEncoding("utf8");
  const port = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the burning server exited (${code})`)));
    child.stdout!.on("data", (chunk: string) => {
      out += chunk;
      const line = /^(\d+)\n/.exec(out);
      if (line !== null) resolve(line[1]);
    });
  });
  return {
    label: `127.0.0.1:${port}`,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.stdin!.end();
      await exited;
    },
  };
}
