import "reflect-metadata";
import { TrackedOrders } from "../subjects/orders";
import type { CaseOptions, Figures } from "./case";

const gc = (globalThis as { gc?: () => void }).gc!;

/**
 * Heap after a full GC, sampled every tenth of 1,000,000 tracked async calls (100 in flight at a
 * time): bounded history, finished ring and stats mean the curve stays flat.
 */
export async function run(options: CaseOptions): Promise<Figures> {
  const total = options.quick ? 100_000 : 1_000_000;
  const wave = 100;
  const orders = new TrackedOrders();
  const figures: Figures = {};
  const sample = (calls: number) => {
    gc();
    gc();
    figures[String(calls)] = process.memoryUsage().heapUsed;
  };
  await orders.place("u", "i", 0);
  sample(0);
  for (let calls = 0; calls < total; ) {
    const inFlight: Promise<number>[] = [];
    for (let i = 0; i < wave; i++) inFlight.push(orders.place("ana", "book", calls + i));
    await Promise.all(inFlight);
    calls += wave;
    if (calls % (total / 10) === 0) sample(calls);
  }
  return figures;
}
