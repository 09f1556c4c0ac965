import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { median } from "../harness";
import { wrk } from "../load";
import { fmt, verdict, type Group, type Row } from "../report";
import { startServer } from "../spawn";

const KINDS = ["bare", "proclist", "otel"] as const;

/** Median with the lowest and highest of the runs: "12.9 (12.1–14.0)". */
function spread(values: readonly number[], decimals: number, scale = 1): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v: number) => fmt(v * scale, decimals);
  return `${f(median(sorted))} (${f(sorted[0])}–${f(sorted[sorted.length - 1])})`;
}

/**
 * What tracking every request costs a hello server: `node:http` and polka, each bare, with
 * proclist's request tracking (`trackRequests` / `requestTracker`, defaults) and under
 * OpenTelemetry's `HttpInstrumentation`, each in a fresh process loaded by wrk (16 connections,
 * one thread: a load generator in C leaves the other core to the server). The figure is the
 * server's own CPU time per request, which other processes on a shared machine inflate least;
 * every ratio is taken within one round (the three variants back to back, order rotating).
 */
export const requestsGroup: Group = async ({ quick, runs, log }) => {
  const seconds = quick ? 1 : 5;
  const rows: Row[] = [];
  const loadBefore = loadavg()[0];
  for (const app of ["http", "polka"] as const) {
    const cpu: Record<string, number[]> = {};
    const rps: Record<string, number[]> = {};
    const kept: number[] = [];
    const keptRps: number[] = [];
    const otelOverProclist: number[] = [];
    for (let run = 1; run <= runs; run++) {
      log(`requests (${app}) under wrk, run ${run}/${runs}`);
      const order = KINDS.map((_, i) => KINDS[(i + run) % KINDS.length]);
      const got: Record<string, { rps: number; cpu: number }> = {};
      for (const kind of order) {
        const server = await startServer("http-hello", { quick, variant: app === "http" ? kind : `polka-${kind}` });
        const url = `http://127.0.0.1:${server.info.port}/hello/ana`;
        await wrk(url, 16, quick ? 1 : 2); // warm-up: JIT, connections
        await sleep(100);
        const before = await server.cpu();
        const result = await wrk(url, 16, seconds);
        const used = (await server.cpu()) - before;
        await server.stop();
        if (result.errors > 0) throw new Error(`${app} ${kind} server answered ${result.errors} errors under load`);
        got[kind] = { rps: result.rps, cpu: used / result.requests };
        (cpu[kind] ??= []).push(used / result.requests);
        (rps[kind] ??= []).push(result.rps);
      }
      kept.push(got.bare.cpu / got.proclist.cpu);
      keptRps.push(got.proclist.rps / got.bare.rps);
      otelOverProclist.push((got.otel.cpu - got.bare.cpu) / Math.max(got.proclist.cpu - got.bare.cpu, 0.01));
    }
    const added = (kind: string) => cpu[kind].map((v, i) => v - cpu.bare[i]);
    const name = app === "http" ? "node:http" : "polka";
    rows.push(
      {
        figure: `${name} hello, server CPU per request: bare / + proclist / + OpenTelemetry HttpInstrumentation (µs, median (min–max) of ${runs})`,
        measured: `${spread(cpu.bare, 1)} / ${spread(cpu.proclist, 1)} / ${spread(cpu.otel, 1)}`,
        reference: `req/s ${fmt(median(rps.bare))} / ${fmt(median(rps.proclist))} / ${fmt(median(rps.otel))}`,
        target: "",
        verdict: "",
      },
      {
        figure: `  ${name}: added per request: proclist / OpenTelemetry (µs)`,
        measured: `${spread(added("proclist"), 1)} / ${spread(added("otel"), 1)}`,
        reference: "",
        target: "",
        verdict: "",
      },
      {
        figure: `  ${app === "http" ? "trackRequests" : "requestTracker"}: CPU-bound req/s kept (bare's CPU per request ÷ tracked's)`,
        measured: `${spread(kept, 1, 100)} %`,
        reference: `by wrk's req/s: ${spread(keptRps, 1, 100)} %`,
        target: "≥ 90 %",
        verdict: verdict(median(kept) >= 0.9),
      },
      {
        figure: `  ${name}: OpenTelemetry added ÷ proclist added (same round)`,
        measured: `${spread(otelOverProclist, 1)}×`,
        reference: "",
        target: "≥ 15×",
        verdict: verdict(median(otelOverProclist) >= 15),
      },
    );
  }
  rows.push({
    figure: "  load average (1 min) before / after the requests group",
    measured: `${fmt(loadBefore, 1)} / ${fmt(loadavg()[0], 1)}`,
    reference: "",
    target: "",
    verdict: "",
  });
  return rows;
};
