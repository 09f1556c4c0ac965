import { performance } from "node:perf_hooks";
import { taskContext } from "../../lib/core/context";

/**
 * The least any tracker can do in Node: an AsyncLocalStorage.run, a Map entry, a history of
 * sub-ms timestamps. It borrows proclist's AsyncLocalStorage so the process keeps a single one,
 * as it would in production (a second instance would slow every await of every case).
 */
interface FloorRecord {
  id: number;
  attrs: Record<string, unknown>;
  times: number[];
  statuses: string[];
}

const als = taskContext as unknown as { run<R>(store: FloorRecord, fn: () => R): R; getStore(): FloorRecord | undefined };
const live = new Map<number, FloorRecord>();
const origin = performance.timeOrigin;
let next = 0;

function status(text: string): void {
  const record = als.getStore();
  if (record !== undefined) {
    record.times.push(origin + performance.now());
    record.statuses.push(text);
  }
}

/** The floor around BareOrders' body, sync and async. */
export class FloorOrders {
  place(user: string, item: string, qty: number): Promise<number> {
    const record: FloorRecord = { id: ++next, attrs: { user, item, qty }, times: [origin + performance.now()], statuses: ["init"] };
    live.set(record.id, record);
    return als
      .run(record, async () => {
        this.validate(user);
        this.reserve(item);
        this.charge(qty);
        return qty;
      })
      .then((value) => {
        record.times.push(origin + performance.now());
        record.statuses.push("ended");
        live.delete(record.id);
        return value;
      });
  }

  placeSync(user: string, item: string, qty: number): number {
    const record: FloorRecord = { id: ++next, attrs: { user, item, qty }, times: [origin + performance.now()], statuses: ["init"] };
    live.set(record.id, record);
    const value = als.run(record, () => {
      this.validate(user);
      this.reserve(item);
      this.charge(qty);
      return qty;
    });
    record.times.push(origin + performance.now());
    record.statuses.push("ended");
    live.delete(record.id);
    return value;
  }

  validate(_user: string): void {
    status("validating");
  }
  reserve(_item: string): void {
    status("reserving");
  }
  charge(_qty: number): void {
    status("charging");
  }
}
