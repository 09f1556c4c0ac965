import { setTimeout as sleep } from "node:timers/promises";
import { median } from "../harness";
import { cannon } from "../load";
import { fmt, verdict, type Group } from "../report";
import { startServer } from "../spawn";

const VARIANTS = ["bare", "bare+als", "tracked", "requests"] as const;

/**
 * A trivial polka service untracked, untracked with async hooks on, and with `@Tracked` on its
 * handler, each in a fresh process loaded by autocannon (16 connections); runs rotate which goes
 * first. Besides requests/s (what the target names, and what noise on shared cores moves most),
 * the server's own CPU time per request, which other processes cannot inflate.
 */
export const serviceGroup: Group = async ({ quick, runs, log }) => {
  const seconds = quick ? 0.5 : 5;
  const rps: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  const rpsRatios: number[] = [];
  const cpuRatios: number[] = [];
  const requestRatios: number[] = [];
  for (let run = 1; run <= runs; run++) {
    log(`service under autocannon, run ${run}/${runs}`);
    const order = VARIANTS.map((_, i) => VARIANTS[(i + run) % VARIANTS.length]);
    const got: Record<string, { rps: number; cpu: number }> = {};
    for (const variant of order) {
      const server = await startServer("hello", { quick, variant });
      const url = `http://127.0.0.1:${server.info.port}/hello/ana`;
      await cannon(url, 16, quick ? 0.2 : 2); // warm-up: JIT, connections
      await sleep(100);
      const before = await server.cpu();
      const result = await cannon(url, 16, seconds);
      const used = (await server.cpu()) - before;
      await server.stop();
      if (result.errors > 0) throw new Error(`${variant} service answered ${result.errors} errors under load`);
      got[variant] = { rps: result.rps, cpu: used / result.requests };
      (rps[variant] ??= []).push(result.rps);
      (cpu[variant] ??= []).push(used / result.requests);
    }
    rpsRatios.push(got.tracked.rps / got.bare.rps);
    cpuRatios.push(got.bare.cpu / got.tracked.cpu);
    requestRatios.push(got.requests.rps / got.bare.rps);
  }
  const rpsShare = median(rpsRatios);
  const cpuShare = median(cpuRatios);
  const requestShare = median(requestRatios);
  const m = (table: Record<string, number[]>, variant: string, decimals: number) => fmt(median(table[variant]), decimals);
  return [
    {
      figure: "polka service, trivial request: untracked / untracked with async hooks on / tracked (req/s)",
      measured: `${m(rps, "bare", 0)} / ${m(rps, "bare+als", 0)} / ${m(rps, "tracked", 0)}`,
      reference: "autocannon, 16 connections",
      target: "",
      verdict: "",
    },
    {
      figure: "  the same, server CPU per request (µs)",
      measured: `${m(cpu, "bare", 1)} / ${m(cpu, "bare+als", 1)} / ${m(cpu, "tracked", 1)}`,
      reference: "",
      target: "",
      verdict: "",
    },
    {
      figure: "every request tracked (requestTracker, phases as @Status): req/s, share of the untracked one's",
      measured: `${fmt(requestShare * 100, 1)} %`,
      reference: `${m(rps, "requests", 0)} req/s, ${m(cpu, "requests", 1)} µs CPU per request`,
      target: "",
      verdict: "",
    },
    {
      figure: "tracked service's req/s, share of the untracked one's",
      measured: `${fmt(rpsShare * 100, 1)} %`,
      reference: `by CPU per request: ${fmt(cpuShare * 100, 1)} %`,
      target: "≥ 95 %",
      verdict: verdict(rpsShare >= 0.95),
    },
  ];
};
