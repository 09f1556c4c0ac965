import "reflect-metadata";
import { ProcessManager } from "../../lib";
import type { CaseOptions, Figures } from "./case";

const gc = (globalThis as { gc?: () => void }).gc!;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Retained heap per task: N live tasks with 3 attributes and 4 history entries (init + 3
 * statuses); N finished tasks kept with their history; and the same live data as plain objects
 * in a Map, the floor. Attribute values are shared strings and small numbers, so the figure is
 * proclist's own structure, not the user's data.
 */
export async function run(options: CaseOptions): Promise<Figures> {
  const n = options.quick ? 10_000 : 100_000;
  const keep: unknown[] = [];

  let before = heapAfterGc();
  const live = new ProcessManager({ keepFinished: 0 });
  for (let i = 0; i < n; i++) {
    const task = live.start("t" + i.toString(36), { name: "Orders.place", attrs: { user: "ana", item: "book", qty: i } });
    task.status("validating");
    task.status("reserving");
    task.status("charging");
  }
  const liveBytes = (heapAfterGc() - before) / n;
  keep.push(live);

  before = heapAfterGc();
  const finished = new ProcessManager({ keepFinished: n });
  for (let i = 0; i < n; i++) {
    const id = "t" + i.toString(36);
    const task = finished.start(id, { name: "Orders.place", attrs: { user: "ana", item: "book", qty: i } });
    task.status("validating");
    task.status("reserving");
    task.status("charging");
    finished.done(id);
  }
  const finishedBytes = (heapAfterGc() - before) / n;
  keep.push(finished);

  before = heapAfterGc();
  const floor = new Map<string, object>();
  const base = performance.timeOrigin;
  for (let i = 0; i < n; i++) {
    const id = "t" + i.toString(36);
    const times = [base + performance.now(), base + performance.now(), base + performance.now(), base + performance.now()];
    floor.set(id, {
      id,
      name: "Orders.place",
      attrs: { user: "ana", item: "book", qty: i },
      times,
      statuses: ["init", "validating", "reserving", "charging"],
    });
  }
  const floorBytes = (heapAfterGc() - before) / n;
  keep.push(floor);

  if (keep.length !== 3) throw new Error("unreachable: keeps the structures alive until measured");
  return { live: liveBytes, finished: finishedBytes, floor: floorBytes };
}
