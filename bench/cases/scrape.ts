import { Registry } from "prom-client";
import { ProcessManager, registerMetrics } from "../../lib";
import { metricsSource } from "../../lib/metrics/endpoint";
import { timeCases } from "../harness";
import type { CaseOptions, Figures } from "./case";

const STATUSES = 20;

/**
 * One scrape at 1,000 task names × 20 statuses (each name ended once, through "init" and 19
 * statuses): `GET /metrics`'s text, and the same metrics through a prom-client Registry.
 */
export async function run(options: CaseOptions): Promise<Figures> {
  // The quick mode (the spec that keeps bench/ from rotting) only checks that it runs.
  const NAMES = options.quick ? 100 : 1000;
  const manager = new ProcessManager();
  const source = metricsSource(manager);
  const registry = new Registry();
  registerMetrics(manager, registry);
  for (let n = 0; n < NAMES; n++) {
    manager.run((task) => {
      for (let s = 1; s < STATUSES; s++) task.status(`status ${s}`);
    }, { name: `Service.method${n}` });
  }
  const bytes = source.body().length;
  const timingOptions = options.quick ? { rounds: 2, batchMs: 5 } : { rounds: 9, batchMs: 200 };
  const figures = await timeCases(
    [
      { name: "endpoint", fn: () => source.body() },
      { name: "prom-client", fn: () => registry.metrics(), async: true },
    ],
    timingOptions,
  );
  return { ...figures, bytes, lines: source.body().toString().split("\n").length - 1 };
}
