import { median } from "../harness";
import { fmt, verdict, type Group } from "../report";
import { runCase } from "../spawn";

/** The process-wide cost of async context: bare awaits in processes without and with proclist. */
export const awaitGroup: Group = async ({ quick, runs, log }) => {
  const none: number[] = [];
  const withProclist: number[] = [];
  let storages = 0;
  for (let run = 1; run <= runs; run++) {
    log(`await cost, run ${run}/${runs}`);
    none.push((await runCase("await-cost", { quick, variant: "none" })).await);
    const figures = await runCase("await-cost", { quick, variant: "proclist" });
    withProclist.push(figures.await);
    storages = Math.max(storages, figures.storages);
  }
  const added = median(withProclist.map((ns, i) => ns - none[i]));
  return [
    {
      figure: "bare async call + await, no AsyncLocalStorage / proclist loaded (ns)",
      measured: `${fmt(median(none))} / ${fmt(median(withProclist))}`,
      reference: "35 → 108",
      target: "",
      verdict: "",
    },
    {
      figure: "process-wide cost added to every await by async context (ns)",
      measured: fmt(added),
      reference: "~75–80",
      target: "reported",
      verdict: "",
    },
    {
      figure: "AsyncLocalStorage instances proclist creates",
      measured: String(storages),
      reference: "",
      target: "1",
      verdict: verdict(storages === 1),
    },
  ];
};
