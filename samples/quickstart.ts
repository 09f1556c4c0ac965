/**
 * The smallest use of proclist, without HTTP: a service whose calls are tasks, resolved through
 * the container, and the process list read while they run. `node dist/samples/quickstart.js`
 */
// proclist first: its entry loads reflect-metadata, which tsyringe needs before it is imported.
import { Attr, ProcessManager, Status, TaskId, Tracked, currentTask } from "../lib";
import { container, injectable } from "tsyringe";
import { setTimeout as sleep } from "node:timers/promises";

@injectable()
export class ReportService {
  @Tracked()
  async build(@TaskId() requestId: string, @Attr("user") user: string, @Attr("rows") rows: number) {
    await this.query(rows);
    await this.render();
    return `${rows} rows for ${user}`;
  }

  @Status((rows: number) => `querying ${rows} rows`)
  async query(rows: number) {
    await sleep(rows, undefined, { signal: currentTask()?.signal });
  }

  @Status("rendering")
  async render() {
    await sleep(20, undefined, { signal: currentTask()?.signal });
  }
}

async function main() {
  const reports = container.resolve(ReportService);
  const manager = container.resolve(ProcessManager);
  const first = reports.build("req-1", "ann", 100);
  const second = reports.build("req-2", "bob", 500).catch((error: Error) => `req-2 failed: ${error.message}`);
  await sleep(50);
  console.log(
    "live:",
    manager.list().map(({ id, status, attrs }) => ({ id, status, attrs })),
  );
  manager.kill("req-2", "too big");
  console.log(await first);
  console.log(await second);
  for (const task of manager.finished())
    console.log(
      task.id,
      task.outcome,
      manager
        .history(task.id)
        .map((e) => e.status)
        .join(" → "),
    );
}

if (require.main === module) void main();
