import "reflect-metadata";
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { ProcessManager } from "../../lib";
import { startSample } from "../../samples/service";
import type { CaseOptions, Figures } from "../cases/case";
import { addLiveTasks, churn, planOf } from "./live-tasks";

/**
 * The sample service of `npm start`, its process list holding the live tasks `variant` asks for
 * besides its own (e.g. "10000", "10000 churn=10000", "10000 payload=900").
 * It also times its own `/work` requests, from the request's arrival in the server to the end of
 * its answer: the service's latency without the load generators' share of two shared cores.
 */
export async function start(options: CaseOptions): Promise<Figures> {
  const manager = new ProcessManager();
  const plan = planOf(options.variant);
  addLiveTasks(manager, plan.count, plan.payload);
  if (plan.churn > 0) churn(manager, plan.churn);
  const started = new WeakMap<IncomingMessage, number>();
  let durations: number[] = [];
  subscribe("http.server.request.start", (message) => {
    const { request } = message as { request: IncomingMessage };
    if (request.url?.startsWith("/work") === true) started.set(request, performance.now());
  });
  subscribe("http.server.response.finish", (message) => {
    const t0 = started.get((message as { request: IncomingMessage }).request);
    if (t0 !== undefined) durations.push(performance.now() - t0);
  });
  process.on("message", (message) => {
    if (message !== "latency") return;
    const sorted = durations.sort((a, b) => a - b);
    durations = [];
    process.send!({
      p99Ms: sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)],
      count: sorted.length,
    });
  });
  const sample = await startSample({ port: 0, apiPort: 0, manager });
  return { port: Number(new URL(sample.url).port), apiPort: sample.api.port };
}
