import "reflect-metadata";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ProcessManager, serve } from "../../lib";
import type { CaseOptions, Figures } from "../cases/case";
import { addLiveTasks, churn, planOf } from "./live-tasks";

/**
 * proclist's API holding the live tasks `variant` asks for (e.g. "10000 churn=1000"), and beside
 * it, on another port, the naive way to serve the same list: build every task's object and
 * `JSON.stringify` the lot per request. Answers "churn" over IPC with the change rate it made.
 */
export async function start(options: CaseOptions): Promise<Figures> {
  const plan = planOf(options.variant);
  const manager = new ProcessManager();
  addLiveTasks(manager, plan.count, plan.payload);
  const changes = plan.churn > 0 ? churn(manager, plan.churn) : undefined;
  process.on("message", (message) => {
    if (message === "churn") process.send!({ rate: changes?.rate() ?? 0 });
  });
  const api = await serve({ port: 0, manager });
  const naive = createServer((_req, res) => {
    const body = JSON.stringify({
      procs: Array.from(manager.tasks(), (task) => ({
        id: task.id,
        attrs: task.attrs,
        procTime: new Date(task.startTime).toISOString(),
        statusTime: new Date(task.history.lastTime).toISOString(),
        status: task.history.lastStatus,
        cancelling: task.cancelling,
        name: task.name,
      })),
      serverTime: new Date().toISOString(),
    });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((resolve) => naive.listen(0, "127.0.0.1", resolve));
  return { port: api.port, naivePort: (naive.address() as AddressInfo).port };
}
