import { median } from "../harness";
import { fmt, verdict, type Group, type Row } from "../report";
import { runCase } from "../spawn";

/** OpenTelemetry task spans against a bare span (same process, same SDK), and what one Prometheus scrape costs. */
export const exportGroup: Group = async ({ quick, runs, log }) => {
  const added: Record<string, number[]> = {};
  const push = (key: string, value: number) => (added[key] ??= []).push(value);
  const scrape: Record<string, number[]> = {};
  let lines = 0;
  let bytes = 0;
  for (let run = 1; run <= runs; run++) {
    log(`otel spans and scrape, run ${run}/${runs}`);
    const f = await runCase("otel-spans", { quick });
    for (const mode of ["sync", "async"]) {
      const bare = f[`bare ${mode}`];
      push(`tracked ${mode}`, f[`tracked ${mode}`] - bare);
      push(`spans ${mode}`, f[`spans ${mode}`] - bare);
      push(`otel ${mode}`, f[`otel ${mode}`] - bare);
      // What switching spans on adds to a tracked call, against what the same span costs by hand.
      push(`ratio ${mode}`, (f[`spans ${mode}`] - f[`tracked ${mode}`]) / (f[`otel ${mode}`] - bare));
      push(`total ${mode}`, (f[`spans ${mode}`] - bare) / (f[`otel ${mode}`] - bare));
    }
    const s = await runCase("scrape", { quick });
    for (const scenario of ["all", "1%", "none"]) (scrape[scenario] ??= []).push(s[`endpoint ${scenario}`] / 1e6);
    (scrape.prom ??= []).push(s["prom-client"] / 1e6);
    lines = s.lines;
    bytes = s.bytes;
  }
  const m = (key: string) => median(added[key]);
  const rows: Row[] = [
    {
      figure: "@Tracked + 3 @Status, otel off, added sync / async (ns, OpenTelemetry's SDK loaded)",
      measured: `${fmt(m("tracked sync"))} / ${fmt(m("tracked async"))}`,
      reference: "",
      target: "",
      verdict: "",
    },
    {
      figure: "bare OpenTelemetry span, 3 attributes + 3 events, added sync / async (ns)",
      measured: `${fmt(m("otel sync"))} / ${fmt(m("otel async"))}`,
      reference: "",
      target: "",
      verdict: "",
    },
    {
      figure: "@Tracked with spans: true (same attributes and events), added sync / async (ns)",
      measured: `${fmt(m("spans sync"))} / ${fmt(m("spans async"))}`,
      reference: "",
      target: "",
      verdict: "",
    },
    {
      figure: "what spans: true adds to a tracked call ÷ bare OpenTelemetry span, sync",
      measured: `${fmt(m("ratio sync"), 2)}×`,
      reference: "",
      target: "≤ 1.2×",
      verdict: verdict(m("ratio sync") <= 1.2),
    },
    {
      figure: "what spans: true adds to a tracked call ÷ bare OpenTelemetry span, async",
      measured: `${fmt(m("ratio async"), 2)}×`,
      reference: "",
      target: "≤ 1.2×",
      verdict: verdict(m("ratio async") <= 1.2),
    },
    {
      figure: "tracked call with spans, all of it ÷ bare OpenTelemetry span, sync / async",
      measured: `${fmt(m("total sync"), 2)}× / ${fmt(m("total async"), 2)}×`,
      reference: "",
      target: "reported",
      verdict: "",
    },
    {
      figure: `GET /metrics scrape, ${fmt(1000)} names × 20 statuses, 1 % of names changed since the last (CPU ms; ${fmt(lines)} samples, ${fmt(bytes / 1024)} KiB)`,
      measured: fmt(median(scrape["1%"]), 2),
      reference: "",
      target: "< 5",
      verdict: verdict(median(scrape["1%"]) < 5),
    },
    {
      figure: "the same scrape, every name changed since the last (CPU ms)",
      measured: fmt(median(scrape.all), 2),
      reference: "",
      target: "< 5",
      verdict: verdict(median(scrape.all) < 5),
    },
    {
      figure: "the same scrape, nothing changed since the last (CPU ms)",
      measured: fmt(median(scrape.none), 2),
      reference: "",
      target: "reported",
      verdict: "",
    },
    {
      figure: "the same metrics through a prom-client Registry (CPU ms)",
      measured: fmt(median(scrape.prom), 1),
      reference: "",
      target: "reported",
      verdict: "",
    },
  ];
  return rows;
};
