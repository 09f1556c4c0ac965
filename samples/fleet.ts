// `npm run fleet`: three instances of the sample service joined to one fleet on Redis, and the
// fleet's API and page. Uses REDIS_URL when set, else starts a redis-server of its own on a free
// port (and stops it on exit). Each instance is a child process running this file with INSTANCE set.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { joinFleet, ProcessManager, serveFleet } from "../lib";
import { container } from "tsyringe";
import { RedisServer } from "./redis-server";
import { startSample } from "./service";

const SERVICE = "sample";

async function instance(name: string, redis: string): Promise<void> {
  const manager = container.resolve(ProcessManager);
  const sample = await startSample({ port: Number(process.env.PORT ?? 0), apiPort: 0, manager });
  const membership = await joinFleet({ redis, service: SERVICE, instance: name, manager });
  console.log(JSON.stringify({ instance: name, url: sample.url }));
  const stop = () =>
    void membership
      .leave()
      .then(() => sample.close())
      .then(() => process.exit(0));
  process.once("SIGINT", stop).once("SIGTERM", stop);
}

async function main(): Promise<void> {
  const children: ChildProcess[] = [];
  let redisServer: RedisServer | undefined;
  const stop = () => {
    for (const child of children) child.kill("SIGTERM");
    const exited = (child: ChildProcess | undefined) =>
      new Promise((resolve) => (child === undefined || child.exitCode !== null ? resolve(undefined) : child.once("exit", resolve)));
    void Promise.all(children.map(exited))
      .then(() => redisServer?.stop())
      .then(() => process.exit(0));
  };
  process.once("SIGINT", stop).once("SIGTERM", stop);
  let redis = process.env.REDIS_URL;
  if (redis === undefined || redis === "") {
    redisServer = await RedisServer.start().catch((error: unknown) => {
      throw new Error(
        `cannot start redis-server (${error instanceof Error ? error.message : String(error)}): install it (apt-get install redis-server) or set REDIS_URL`,
      );
    });
    redis = redisServer.url;
  }
  const base = Number(process.env.PORT ?? 3001);
  const urls = await Promise.all(
    [1, 2, 3].map((n) => {
      const child = spawn(process.execPath, [__filename], {
        env: { ...process.env, REDIS_URL: redis, INSTANCE: `sample-${n}`, PORT: String(base === 0 ? 0 : base + n - 1) },
        stdio: ["ignore", "pipe", "inherit"],
      });
      children.push(child);
      return new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once("line", (line) => resolve((JSON.parse(line) as { url: string }).url));
        child.once("exit", (code) => reject(new Error(`instance sample-${n} exited (${code})`)));
      });
    }),
  );
  const api = await serveFleet({ redis, service: SERVICE, port: Number(process.env.PROCLIST_PORT ?? 8090) });
  urls.forEach((url, i) => console.log(`instance sample-${i + 1}: ${url}   (try ${url}/work?ms=20000&steps=4)`));
  console.log(`fleet API:   ${api.url}/procs/`);
  console.log(`fleet page:  ${api.url}/`);
  console.log(`command:     npx proclist ls --redis ${redis} --service ${SERVICE}`);
}

const run = process.env.INSTANCE === undefined ? main() : instance(process.env.INSTANCE, process.env.REDIS_URL!);
run.catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
