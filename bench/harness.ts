/**
 * A small timing harness: cases measured round-robin, so drift on a noisy shared machine hits the
 * baseline and the subject alike, and each case's figure is the median of its rounds. It counts the
 * process's CPU time (all its threads, so GC helpers are paid for), not wall time: on shared cores
 * another process's burst stretches wall time without making our code any dearer.
 *
 * Why not mitata: mitata measures one benchmark to completion before the next, so a burst of
 * noise lands on one side of a ratio; and the differences we report (tens to hundreds of ns) need
 * only a plain loop, whose own cost (~1 ns) cancels out between baseline and subject.
 */

/** One thing to time: `fn(i)` is called once per operation; async cases are awaited one by one. */
export interface TimedCase {
  name: string;
  fn: (i: number) => unknown;
  async?: boolean;
}

export interface TimingOptions {
  /** Measured rounds per case (after one warm-up round). */
  rounds: number;
  /** Target wall time of one batch, in ms: long enough to dwarf timer resolution. */
  batchMs: number;
}

type Loop = (fn: (i: number) => unknown, n: number) => number | Promise<number>;

// Each case gets a loop compiled from fresh source: a shared loop would see every case's function
// at one call site and turn polymorphic, slowing whichever case comes second.
function makeLoop(isAsync: boolean): Loop {
  const body = isAsync
    ? "return (async () => { let sink; const t0 = process.cpuUsage(); for (let i = 0; i < n; i++) sink = await fn(i); const t = process.cpuUsage(t0); globalThis.__benchSink = sink; return (t.user + t.system) * 1000; })();"
    : "let sink; const t0 = process.cpuUsage(); for (let i = 0; i < n; i++) sink = fn(i); const t = process.cpuUsage(t0); globalThis.__benchSink = sink; return (t.user + t.system) * 1000;";
  return new Function("fn", "n", body) as Loop;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Times every case, interleaved, and answers the median CPU ns per operation of each. */
export async function timeCases(cases: readonly TimedCase[], options: TimingOptions): Promise<Record<string, number>> {
  const plans = cases.map((c) => ({ ...c, loop: makeLoop(c.async === true), n: 1, samples: [] as number[] }));
  // Calibrate: grow each batch until it takes batchMs (this also warms the JIT up).
  for (const plan of plans) {
    for (;;) {
      const ns = await plan.loop(plan.fn, plan.n);
      if (ns >= options.batchMs * 1e6) break;
      plan.n = Math.ceil(plan.n * Math.min(10, Math.max(1.5, (options.batchMs * 1e6) / Math.max(ns, 1))));
    }
  }
  for (let round = 0; round <= options.rounds; round++) {
    for (const plan of plans) {
      const ns = await plan.loop(plan.fn, plan.n);
      if (round > 0) plan.samples.push(ns / plan.n);
    }
  }
  return Object.fromEntries(plans.map((p) => [p.name, median(p.samples)]));
}
