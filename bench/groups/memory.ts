import { median } from "../harness";
import { fmt, verdict, type Group } from "../report";
import { runCase } from "../spawn";

/** Heap per live and per kept finished task, and the heap curve over a million tracked calls. */
export const memoryGroup: Group = async ({ quick, runs, log }) => {
  const live: number[] = [];
  const finished: number[] = [];
  const floor: number[] = [];
  for (let run = 1; run <= runs; run++) {
    log(`memory per task, run ${run}/${runs}`);
    const figures = await runCase("memory", { quick });
    live.push(figures.live);
    finished.push(figures.finished);
    floor.push(figures.floor);
  }
  log("heap curve");
  const curve = await runCase("heap-curve", { quick });
  const points = Object.entries(curve).map(([calls, bytes]) => ({ calls: Number(calls), mb: bytes / 2 ** 20 }));
  const total = points[points.length - 1].calls;
  // Flat: after the first tenth (JIT code, lazily built structures), the heap moves less than 1 MB.
  const settled = points.filter((p) => p.calls >= total / 10).map((p) => p.mb);
  const drift = Math.max(...settled) - Math.min(...settled);
  return [
    {
      figure: "heap per live task, 3 attributes + 4 history entries (bytes)",
      measured: fmt(median(live)),
      reference: `floor (plain object + Map) ${fmt(median(floor))}; ~510`,
      target: "≤ 600",
      verdict: verdict(median(live) <= 600),
    },
    {
      figure: "heap per kept finished task, 5 history entries (bytes)",
      measured: fmt(median(finished)),
      reference: "",
      target: "",
      verdict: "",
    },
    {
      figure: `heap after GC over ${fmt(total)} tracked async calls (MB)`,
      measured: points.map((p) => `${p.calls >= 1e6 ? p.calls / 1e6 + "M" : p.calls / 1e3 + "k"}: ${fmt(p.mb, 1)}`).join(", "),
      reference: "",
      target: "flat",
      verdict: "",
    },
    {
      figure: "heap drift after the first tenth of those calls (MB)",
      measured: fmt(drift, 2),
      reference: "",
      target: "< 1 (flat)",
      verdict: verdict(drift < 1),
    },
  ];
};
