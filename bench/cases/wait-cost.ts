import { channel } from "node:diagnostics_channel";
import { ProcessManager } from "../../lib";
import { timing, type CaseOptions, type Figures } from "./case";

/**
 * The CPU a fetch's wait costs, on its own: the messages undici publishes for one request
 * (`create`, then `trailers`) sent inside a running task, with waits on and with waits off, in
 * alternating rounds of one process; the difference is what recording the wait adds per request
 * (its target, the wait, its end, its stats). A loaded machine moves this far less than req/s.
 */
export async function run(options: CaseOptions): Promise<Figures> {
  const { rounds, batchMs } = timing(options);
  const create = channel("undici:request:create");
  const trailers = channel("undici:request:trailers");
  const on = new ProcessManager({ waits: true, keepFinished: 0 });
  const off = new ProcessManager({ waits: false, keepFinished: 0 });
  const batch = (manager: ProcessManager): number => {
    let n = 0;
    const start = performance.now();
    manager.run(
      () => {
        while (performance.now() - start < batchMs) {
          for (let i = 0; i < 100; i++, n++) {
            const request = {
              method: "GET",
              origin: "https://payments.internal",
              path: `/charge/${n}?token=abc`,
              completed: false,
              aborted: false,
              abort: null,
            };
            create.publish({ request });
            trailers.publish({ request, trailers: [] });
          }
        }
      },
      { name: "bench" },
    );
    return ((performance.now() - start) * 1e6) / n;
  };
  const onNs: number[] = [];
  const offNs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    onNs.push(batch(on));
    offNs.push(batch(off));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { onNs: median(onNs), offNs: median(offNs), addedNs: median(onNs) - median(offNs) };
}
