import { setTimeout as sleep } from "node:timers/promises";
import { median } from "../harness";
import { cannon, wrk, type LoadResult } from "../load";
import { fmt, verdict, type Group, type Row } from "../report";
import { startServer } from "../spawn";

/** The original Go server's `GET /procs/` requests/s at these sizes (wrk, 16 connections, one core). */
const GO_RPS: Record<number, number> = { 100: 4023, 1000: 397, 10000: 29 };
const SIZES = [100, 1000, 10000];

/**
 * The API under wrk (16 connections): `GET /procs/` at
 * 100, 1,000 and 10,000 live tasks (3 attributes, 4 history entries), beside the naive
 * `JSON.stringify` per request, and one task's history. Then the sample service's own p99 at a
 * steady 200 req/s, unloaded and while its 10,000-task list is flooded.
 */
export const apiGroup: Group = async ({ quick, runs, log }) => {
  const seconds = quick ? 1 : 5;
  const apiRuns = Math.min(runs, 3);
  const results: Record<string, LoadResult[]> = {};
  const push = (key: string, result: LoadResult) => (results[key] ??= []).push(result);
  const inside: Record<string, number[]> = {};
  for (let run = 1; run <= apiRuns; run++) {
    for (const size of SIZES) {
      log(`API under wrk, ${fmt(size)} tasks, run ${run}/${apiRuns}`);
      const server = await startServer("api", { quick, variant: String(size) });
      const base = `http://127.0.0.1:${server.info.port}`;
      const naive = `http://127.0.0.1:${server.info.naivePort}/`;
      if (!quick) await wrk(`${base}/procs/`, 16, 2); // warm-up
      push(`list ${size}`, await checked(wrk(`${base}/procs/`, 16, seconds)));
      push(`naive ${size}`, await checked(wrk(naive, 16, seconds)));
      if (size === 10000) push("history", await checked(wrk(`${base}/procs/req-5000/history`, 16, seconds)));
      await server.stop();
    }
    log(`sample service p99 while its list is flooded, run ${run}/${apiRuns}`);
    const [calm, flooded, calmInside, floodedInside] = await sampleLatency(quick);
    push("sample calm", calm);
    push("sample flooded", flooded);
    (inside.calm ??= []).push(calmInside);
    (inside.flooded ??= []).push(floodedInside);
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
    const times = rps(`list ${size}`) / GO_RPS[size];
    rows.push({
      figure: `GET /procs/ with ${fmt(size)} live tasks: req/s, p99 (ms)`,
      measured: `${fmt(rps(`list ${size}`))}, ${fmt(p99(`list ${size}`), 2)}${errors(`list ${size}`)}`,
      reference: `Go ${fmt(GO_RPS[size])}; naive JSON.stringify here ${fmt(rps(`naive ${size}`))} (${fmt(rps(`naive ${size}`) / GO_RPS[size], 1)}× Go)${errors(`naive ${size}`)}`,
      target: `≥ ${fmt(GO_RPS[size] * 5)} (5× Go)`,
      verdict: verdict(times >= 5),
    });
    rows.push({ figure: `  × the Go server at ${fmt(size)} tasks`, measured: `${fmt(times, 1)}×`, reference: "", target: "≥ 5×", verdict: verdict(times >= 5) });
  }
  rows.push({ figure: "GET /procs/:id/history at 10,000 live tasks: req/s, p99 (ms)", measured: `${fmt(rps("history"))}, ${fmt(p99("history"), 2)}${errors("history")}`, reference: "", target: "", verdict: "" });
  const ratio = p99("sample flooded") / p99("sample calm");
  const insideRatio = median(inside.flooded) / median(inside.calm);
  rows.push({
    figure: "sample service p99 at 200 req/s, seen by the client: unloaded / while /procs/ (10,000 tasks) is flooded (ms)",
    measured: `${fmt(p99("sample calm"), 2)} / ${fmt(p99("sample flooded"), 2)} (${fmt(ratio, 2)}×)`,
    reference: "flood: wrk, 16 connections",
    target: "≤ 2×",
    verdict: verdict(ratio <= 2),
  });
  rows.push({
    figure: "  the same, timed inside the service (arrival to end of answer) (ms)",
    measured: `${fmt(median(inside.calm), 2)} / ${fmt(median(inside.flooded), 2)} (${fmt(insideRatio, 2)}×)`,
    reference: "",
    target: "≤ 2×",
    verdict: verdict(insideRatio <= 2),
  });
  return rows;
};

/** A load run whose errors (non-2xx answers, socket errors and timeouts) are shown, not fatal. */
async function checked(pending: Promise<LoadResult>): Promise<LoadResult> {
  return pending;
}

/**
 * The sample's p99 for a short tracked request at a steady rate, alone and then during a flood of
 * its API: as autocannon sees it, and as the server itself timed it (arrival to end of answer).
 */
async function sampleLatency(quick: boolean): Promise<[LoadResult, LoadResult, number, number]> {
  const seconds = quick ? 1 : 5;
  const server = await startServer("sample", { quick, variant: "10000" });
  const probe = `http://127.0.0.1:${server.info.port}/work?ms=0&steps=1`;
  const list = `http://127.0.0.1:${server.info.apiPort}/procs/`;
  try {
    await cannon(probe, 4, quick ? 0.3 : 1, 200); // warm-up
    await server.ask("latency");
    const calm = await cannon(probe, 4, seconds, 200);
    const calmInside = (await server.ask("latency")).p99Ms;
    const flood = wrk(list, 16, seconds + (quick ? 1 : 2));
    await sleep(quick ? 300 : 1000);
    await server.ask("latency");
    const flooded = await cannon(probe, 4, seconds, 200);
    const floodedInside = (await server.ask("latency")).p99Ms;
    await checked(flood);
    return [calm, flooded, calmInside, floodedInside];
  } finally {
    await server.stop();
  }
}
