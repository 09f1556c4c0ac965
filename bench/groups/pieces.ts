import { median } from "../harness";
import { fmt, type Group, type Row } from "../report";
import { runCase } from "../spawn";

const PIECES: [key: string, figure: string][] = [
  ["enter", "piece: entering a task's context, as proclist does on this runtime (ns)"],
  ["als.run", "piece: AsyncLocalStorage.run with another store, for comparison (ns)"],
  ["clock", "piece: one timestamp, now() (ns; 5 per call)"],
  ["begin+finish", "piece: start + end bookkeeping, no context: task, history, live set, stats, 2 timestamps (ns)"],
  ["status", "piece: one status on a live task, its timestamp included (ns; 3 per call)"],
  ["activeTask", "piece: the current task, outside any task (ns; 1 per call)"],
  ["executionAsyncId", "piece: executionAsyncId() (ns; the in-frame fast path, 3 per call)"],
];

/** The tracked call taken apart: each piece timed alone, medians over fresh processes. */
export const piecesGroup: Group = async ({ quick, runs, log }) => {
  const samples: Record<string, number[]> = {};
  for (let run = 1; run <= runs; run++) {
    log(`hot-path pieces, run ${run}/${runs}`);
    const figures = await runCase("pieces", { quick });
    for (const [key] of PIECES) (samples[key] ??= []).push(figures[key]);
  }
  return PIECES.map(([key, figure]): Row => ({ figure, measured: fmt(median(samples[key]), 1), reference: "", target: "", verdict: "" }));
};
