import { setTimeout as sleep } from "node:timers/promises";
import { GO_LIST_RPS, GO_ORIGIN } from "../external";
import { median } from "../harness";
import { hostileQueries } from "../hostile-queries";
import { cannon, wrk, type LoadResult } from "../load";
import { fmt, verdict, type Group, type Row } from "../report";
import { startServer } from "../spawn";

const SIZES = [100, 1000, 10000];
/** Live tasks × status changes per second spread over random tasks. */
const CHURN = [
  [1000, 1000],
  [1000, 10000],
  [10000, 1000],
  [10000, 10000],
];
/** How `/procs/` is flooded while the sample service's own p99 is measured. */
const FLOODS = [
  { key: "list", variant: "10000", hostile: false, label: "its 10,000-task /procs/ is flooded" },
  {
    key: "churn",
    variant: "10000 churn=10000",
    hostile: false,
    label: "its 10,000-task /procs/ is flooded, under 10,000 status changes/s",
  },
  {
    key: "hostile",
    variant: "10000 payload=900",
    hostile: true,
    label: "hostile filtered and sorted queries flood its 10,000 tasks (~1 KiB object attribute each)",
  },
] as const;

/**
 * The API under wrk (16 connections): `GET /procs/` at 100, 1,000 and 10,000 live tasks beside
 * the naive `JSON.stringify` per request of the same process; the list under churn (status
 * changes on random tasks); one task's history. Then the sample service's own p99 at a steady
 * 200 req/s, unloaded and while its list is flooded: plainly, under churn, and with hostile
 * filtered queries. Every "×" and share compares figures of this run.
 */
export const apiGroup: Group = async ({ quick, runs, log }) => {
  const seconds = quick ? 1 : 5;
  const apiRuns = Math.min(runs, 3);
  const results: Record<string, LoadResult[]> = {};
  const push = (key: string, result: LoadResult) => (results[key] ??= []).push(result);
  const inside: Record<string, number[]> = {};
  const made: Record<string, number[]> = {};
  const churns = quick ? CHURN.slice(-1) : CHURN;
  for (let run = 1; run <= apiRuns; run++) {
    for (const size of SIZES) {
      log(`API under wrk, ${fmt(size)} tasks, run ${run}/${apiRuns}`);
      const server = await startServer("api", { quick, variant: String(size) });
      const base = `http://127.0.0.1:${server.info.port}`;
      const naive = `http://127.0.0.1:${server.info.naivePort}/`;
      await warmUp(`${base}/procs/`, quick);
      push(`list ${size}`, await wrk(`${base}/procs/`, 16, seconds));
      push(`naive ${size}`, await wrk(naive, 16, seconds));
      if (size === 10000) push("history", await wrk(`${base}/procs/req-5000/history`, 16, seconds));
      await server.stop();
    }
    for (const [size, rate] of churns) {
      log(`API under wrk, ${fmt(size)} tasks, ${fmt(rate)} status changes/s, run ${run}/${apiRuns}`);
      const server = await startServer("api", { quick, variant: `${size} churn=${rate}` });
      const list = `http://127.0.0.1:${server.info.port}/procs/`;
      await warmUp(list, quick);
      push(`churn ${size} ${rate}`, await wrk(list, 16, seconds));
      (made[`${size} ${rate}`] ??= []).push((await server.ask("churn")).rate);
      await server.stop();
    }
    for (const flood of FLOODS) {
      log(`sample service p99 while ${flood.label}, run ${run}/${apiRuns}`);
      const [calm, flooded, calmInside, floodedInside, floodLoad] = await sampleLatency(quick, flood.variant, flood.hostile);
      push(`flood ${flood.key}`, floodLoad);
      push(`sample calm ${flood.key}`, calm);
      push(`sample flooded ${flood.key}`, flooded);
      (inside[`calm ${flood.key}`] ??= []).push(calmInside);
      (inside[`flooded ${flood.key}`] ??= []).push(floodedInside);
    }
  }
  const rps = (key: string) => median(results[key].map((r) => r.rps));
  const p99 = (key: string) => median(results[key].map((r) => r.p99Ms));
  // wrk counts a request not answered within 2 s as a timeout: shown next to the figure.
  const errors = (key: string) => {
    const n = results[key].reduce((sum, r) => sum + r.errors, 0);
    return n === 0 ? "" : ` (${fmt(n)} errors)`;
  };
  const rows: Row[] = [];
  for (const size of SIZES) {
    // In a quick run on a busy machine the naive server may answer nothing at 10,000 tasks: no ratio then, and the row says why.
    const naive = rps(`naive ${size}`);
    const times = naive > 0 ? rps(`list ${size}`) / naive : NaN;
    rows.push({
      figure: `GET /procs/ with ${fmt(size)} live tasks: req/s, p99 (ms)`,
      measured: `${fmt(rps(`list ${size}`))}, ${fmt(p99(`list ${size}`), 2)}${errors(`list ${size}`)}`,
      reference: `naive JSON.stringify here ${fmt(rps(`naive ${size}`))}${errors(`naive ${size}`)}; ${GO_ORIGIN}: ${GO_LIST_RPS[size]}`,
      target: "",
      verdict: "",
    });
    rows.push({
      figure: `  × the naive server at ${fmt(size)} tasks (same run)`,
      measured: Number.isFinite(times) ? `${fmt(times, 1)}×` : `no ratio: the naive server answered 0 requests in ${seconds} s`,
      reference: "",
      target: "≥ 5×",
      verdict: Number.isFinite(times) ? verdict(times >= 5) : "",
    });
  }
  for (const [size, rate] of churns) {
    const key = `churn ${size} ${rate}`;
    const share = rps(key) / rps(`list ${size}`);
    rows.push({
      figure: `GET /procs/ with ${fmt(size)} live tasks, ${fmt(rate)} status changes/s: req/s, p99 (ms)`,
      measured: `${fmt(rps(key))}, ${fmt(p99(key), 2)}${errors(key)}`,
      reference: `changes made: ${fmt(median(made[`${size} ${rate}`]))}/s`,
      target: "",
      verdict: "",
    });
    rows.push({
      figure: `  share of the static list's req/s at ${fmt(size)} tasks, ${fmt(rate)} changes/s`,
      measured: Number.isFinite(share) ? `${fmt(share * 100, 1)} %` : `no static figure (${fmt(rps(`list ${size}`))} req/s)`,
      reference: "",
      target: rate >= 10000 ? "≥ 70 %" : "",
      verdict: rate >= 10000 ? verdict(share >= 0.7) : "",
    });
  }
  rows.push({
    figure: "GET /procs/:id/history at 10,000 live tasks: req/s, p99 (ms)",
    measured: `${fmt(rps("history"))}, ${fmt(p99("history"), 2)}${errors("history")}`,
    reference: "",
    target: "",
    verdict: "",
  });
  for (const flood of FLOODS) {
    const ratio = p99(`sample flooded ${flood.key}`) / p99(`sample calm ${flood.key}`) || 0;
    const calmInside = median(inside[`calm ${flood.key}`]);
    const floodedInside = median(inside[`flooded ${flood.key}`]);
    rows.push({
      figure: `sample service p99 at 200 req/s, seen by the client: unloaded / while ${flood.label} (ms)`,
      measured: `${fmt(p99(`sample calm ${flood.key}`), 2)} / ${fmt(p99(`sample flooded ${flood.key}`), 2)} (${fmt(ratio, 2)}×)`,
      reference: `flood: wrk, 16 connections, ${fmt(rps(`flood ${flood.key}`))} req/s${errors(`flood ${flood.key}`)}${errors(`sample flooded ${flood.key}`)}`,
      target: "",
      verdict: "",
    });
    rows.push({
      figure: `  the same, timed inside the service (arrival to end of answer), ${flood.key} flood (ms)`,
      measured: `${fmt(calmInside, 2)} / ${fmt(floodedInside, 2)} (${fmt(floodedInside / calmInside || 0, 2)}×)`,
      reference: "",
      target: "≤ 2×",
      verdict: verdict(floodedInside / calmInside <= 2),
    });
  }
  return rows;
};

/** Readies a server: one whole answer (the first builds the list), then, unless quick, 2 s of load. */
async function warmUp(url: string, quick: boolean): Promise<void> {
  await (await fetch(url)).arrayBuffer();
  if (!quick) await wrk(url, 16, 2);
}

/**
 * The sample's p99 for a short tracked request at a steady rate, alone and then during a flood of
 * its API (the plain list, or hostile queries): as autocannon sees it, and as the server itself
 * timed it (arrival to end of answer).
 */
async function sampleLatency(
  quick: boolean,
  variant: string,
  hostile: boolean,
): Promise<[LoadResult, LoadResult, number, number, LoadResult]> {
  const seconds = quick ? 1 : 5;
  const server = await startServer("sample", { quick, variant });
  const probe = `http://127.0.0.1:${server.info.port}/work?ms=0&steps=1`;
  const list = `http://127.0.0.1:${server.info.apiPort}/procs/`;
  try {
    await cannon(probe, 4, quick ? 0.3 : 1, 200); // warm-up
    await server.ask("latency");
    const calm = await cannon(probe, 4, seconds, 200);
    const calmInside = (await server.ask("latency")).p99Ms;
    const flood = wrk(list, 16, seconds + (quick ? 1 : 2), hostile ? hostileQueries() : undefined);
    await sleep(quick ? 300 : 1000);
    await server.ask("latency");
    const flooded = await cannon(probe, 4, seconds, 200);
    const floodedInside = (await server.ask("latency")).p99Ms;
    return [calm, flooded, calmInside, floodedInside, await flood];
  } finally {
    await server.stop();
  }
}
