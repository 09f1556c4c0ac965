import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/** A redis-server of our own on a free loopback port (never the system's), for the fleet sample, specs and bench. */
export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /**
   * Starts a server with no persistence; resolves once it accepts connections. A port taken
   * between asking for it and binding it (another process's outgoing connection) is asked again.
   */
  static async start(): Promise<RedisServer> {
    return onFreePorts(1, async ([port]) => {
      const server = new RedisServer(port);
      await server.restart();
      return server;
    });
  }

  /** Starts it (again) on the same port, empty: a restart loses everything, as with `--save ''`. */
  async restart(): Promise<void> {
    await spawnRedis(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      (child) => (this.child = child),
    );
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing is answered, as with a hung host. */
  freeze(): void {
    this.child?.kill("SIGSTOP");
  }

  /** Lets a frozen server go on (SIGCONT). */
  thaw(): void {
    this.child?.kill("SIGCONT");
  }

  /** Stops it and waits for the exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }
}

/** A redis-server that could not bind its port: another process took it after it was found free. */
export class PortTakenError extends Error {}

/**
 * Spawns redis-server with `args`, handing the child to `started` at once (so a stop can end it),
 * and resolves once it accepts connections. Rejects with its output's end if it exits first, as a
 * PortTakenError when the cause was an address in use.
 */
export function spawnRedis(what: string, args: string[], started: (child: ChildProcess) => void): Promise<void> {
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  started(child);
  return new Promise<void>((resolve, reject) => {
    // Both streams, read to their end (an unread pipe that fills would stall the server); kept until
    // it is ready, since a bad argument is told on stderr, a taken port in the log on stdout.
    let out = "";
    let ready = false;
    const read = (chunk: Buffer) => {
      if (ready) return;
      out += chunk.toString();
      if (out.includes("Ready to accept connections")) (ready = true), (out = ""), resolve();
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.once("exit", (code) => {
      const Failure = out.includes("Address already in use") ? PortTakenError : Error;
      reject(new Failure(`${what} exited (${code}): ${out.slice(-500)}`));
    });
    child.once("error", reject);
  });
}

/**
 * Runs `start` on `count` ports free at the time of asking, asking again (up to 5 times) while it
 * fails with a PortTakenError: a free port is only free until someone binds it.
 */
export async function onFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    while (ports.length < count) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    try {
      return await start(ports);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === 5) throw error;
    }
  }
}

/** A port free on 127.0.0.1 at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
