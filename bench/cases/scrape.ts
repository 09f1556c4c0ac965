import { Registry } from "prom-client";
import { ProcessManager, registerMetrics } from "../../lib";
import { metricsSource, type MetricsSource } from "../../lib/metrics/endpoint";
import { median, timeCases } from "../harness";
import type { CaseOptions, Figures } from "./case";

const STATUSES = 20;

/** Ends one task of name `n`, through "init" and 19 statuses: every sample of that name changes. */
function endOne(manager: ProcessManager, n: number): void {
  manager.run(
    (task) => {
      for (let s = 1; s < STATUSES; s++) task.status(`status ${s}`);
    },
    { name: `Service.method${n}` },
  );
}

/** CPU ns of one `body()`, process.cpuUsage around the writer only (the tasks ended before it are not counted). */
function scrapeCpu(source: MetricsSource): number {
  const t0 = process.cpuUsage();
  const body = source.body();
  const t = process.cpuUsage(t0);
  // As GET /metrics does once the answer is written out (a Prometheus server reads 3 MiB in a few ms).
  source.sent(body);
  return (t.user + t.system) * 1000;
}

/**
 * One scrape at 1,000 task names × 20 statuses (each name ended through "init" and 19 statuses):
 * `GET /metrics`'s text when every name changed since the last scrape, when 1 % did (what a
 * Prometheus server every 15 s sees of a service whose traffic is mostly a few names), and when
 * none did; then the same metrics through a prom-client Registry.
 */
export async function run(options: CaseOptions): Promise<Figures> {
  // The quick mode (the spec that keeps bench/ from rotting) only checks that it runs.
  const NAMES = options.quick ? 100 : 1000;
  const SCRAPES = options.quick ? 3 : 60;
  const manager = new ProcessManager();
  const source = metricsSource(manager);
  const registry = new Registry();
  registerMetrics(manager, registry);
  for (let n = 0; n < NAMES; n++) endOne(manager, n);
  const bytes = source.body().length;
  const scenarios = {
    all: () => {
      for (let n = 0; n < NAMES; n++) endOne(manager, n);
    },
    "1%": () => {
      for (let n = 0; n < NAMES; n += 100) endOne(manager, (n + Math.floor(Math.random() * 100)) % NAMES);
    },
    none: () => {},
  };
  const samples: Record<string, number[]> = { all: [], "1%": [], none: [] };
  // Interleaved, so a burst of noise from elsewhere lands on every scenario alike; the first round warms up.
  for (let round = 0; round <= SCRAPES; round++) {
    for (const [name, change] of Object.entries(scenarios)) {
      change();
      const ns = scrapeCpu(source);
      if (round > 0) samples[name].push(ns);
    }
  }
  const timingOptions = options.quick ? { rounds: 2, batchMs: 5 } : { rounds: 9, batchMs: 200 };
  const prom = await timeCases([{ name: "prom-client", fn: () => registry.metrics(), async: true }], timingOptions);
  return {
    "endpoint all": median(samples.all),
    "endpoint 1%": median(samples["1%"]),
    "endpoint none": median(samples.none),
    ...prom,
    bytes,
    lines: source.body().toString().split("\n").length - 1,
  };
}
