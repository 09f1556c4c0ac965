import "reflect-metadata";
import { serveFleet } from "../../lib";
import type { CaseOptions, Figures } from "../cases/case";

/** The aggregator: `serveFleet` over a service, reporting its peak resident memory since the last question. */
export async function start(options: CaseOptions): Promise<Figures> {
  const { redis, service } = JSON.parse(options.variant!) as { redis: string; service: string };
  const api = await serveFleet({ redis, service, port: 0, timeoutMs: 60_000 });
  let peak = process.memoryUsage().rss;
  setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10).unref();
  process.on("message", (message) => {
    if (message !== "memory") return;
    const rss = process.memoryUsage().rss;
    process.send!({ rss, peak: Math.max(peak, rss) });
    peak = rss;
  });
  return { port: api.port };
}
