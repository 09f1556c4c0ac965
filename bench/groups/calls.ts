import { GO_CALL, GO_ORIGIN } from "../external";
import { median } from "../harness";
import { fmt, verdict, type Group, type Row } from "../report";
import { runCase } from "../spawn";

/** Where the per-call references come from: not this run, so no "×" is computed from them. */
const NOTES = "shared/PERF-NOTES.md, Node 20.20 on this machine, another day";

/** The original's Start + 3 Status + Done on one pinned core (issue 29), and 0.75× its lower end. */
const GO_EXPLICIT_NS = "854–879";
const EXPLICIT_TARGET_NS = 0.75 * 854;

/** What a tracked call may add, as a share of what the Node floor adds in the same process. */
const MAX_OF_FLOOR = 0.75;
/** How many times dearer an OpenTelemetry span must be than a tracked call. */
const MIN_OTEL_RATIO = 8;

/**
 * Per-call overhead: proclist and the Node floor in one process, OpenTelemetry in another, runs
 * alternating; each "added" figure is subject minus the bare method of the same process, and each ratio is
 * taken inside one process (or one pair of processes) before the median over runs.
 */
export const callsGroup: Group = async ({ quick, runs, log }) => {
  const added: Record<string, number[]> = {};
  const bare: Record<string, number[]> = {};
  const push = (to: Record<string, number[]>, key: string, value: number) => (to[key] ??= []).push(value);
  for (let run = 1; run <= runs; run++) {
    log(`per-call cost, run ${run}/${runs}`);
    const calls = await runCase("calls", { quick });
    const otel = await runCase("otel", { quick });
    push(added, "explicit", calls.explicit - calls["bare sync"]);
    for (const mode of ["sync", "async"]) {
      push(bare, mode, calls[`bare ${mode}`]);
      push(added, `floor ${mode}`, calls[`floor ${mode}`] - calls[`bare ${mode}`]);
      push(added, `tracked ${mode}`, calls[`tracked ${mode}`] - calls[`bare ${mode}`]);
      push(added, `otel ${mode}`, otel[`otel ${mode}`] - otel[`bare ${mode}`]);
      push(added, `ratio ${mode}`, (otel[`otel ${mode}`] - otel[`bare ${mode}`]) / (calls[`tracked ${mode}`] - calls[`bare ${mode}`]));
      if (mode === "sync") {
        // What the floor spends on one context switch and its 5 timestamps, which any tracker keeping async context and timing phases spends too.
        const unavoidable = calls["context run"] + 5 * calls.timestamp - 6 * calls["bare sync"];
        push(added, "unavoidable", unavoidable);
        push(added, "unavoidable of floor", unavoidable / (calls["floor sync"] - calls["bare sync"]));
        push(added, "floor ratio async", (otel["otel async"] - otel["bare async"]) / (calls["floor async"] - calls["bare async"]));
      }
      push(
        added,
        `of floor ${mode}`,
        (calls[`tracked ${mode}`] - calls[`bare ${mode}`]) / (calls[`floor ${mode}`] - calls[`bare ${mode}`]),
      );
    }
  }
  const m = (key: string) => median(added[key]);
  const rows: Row[] = [
    {
      figure: "bare method call, sync / async (ns)",
      measured: `${fmt(median(bare.sync), 1)} / ${fmt(median(bare.async))}`,
      reference: `${NOTES}: 1.4 / 110–120 (async hooks on)`,
      target: "",
      verdict: "",
    },
    {
      figure: "Node floor: ALS.run + Map + history, 3 statuses, added sync / async (ns)",
      measured: `${fmt(m("floor sync"))} / ${fmt(m("floor async"))}`,
      reference: `${NOTES}: ~240–256 / ~480–551 (minimal tracked call + 3 statuses)`,
      target: "",
      verdict: "",
    },
    {
      figure: "@Tracked (3 @Attr) + 3 @Status, added per sync call (ns)",
      measured: `${fmt(m("tracked sync"))} (${fmt(m("of floor sync"), 2)}× floor)`,
      reference: `${GO_ORIGIN}: ${GO_CALL}`,
      target: `≤ ${MAX_OF_FLOOR}× floor`,
      verdict: verdict(m("of floor sync") <= MAX_OF_FLOOR),
    },
    {
      figure: "@Tracked (3 @Attr) + 3 @Status, added per async call (ns)",
      measured: `${fmt(m("tracked async"))} (${fmt(m("of floor async"), 2)}× floor)`,
      reference: GO_CALL,
      target: `≤ ${MAX_OF_FLOOR}× floor`,
      verdict: verdict(m("of floor async") <= MAX_OF_FLOOR),
    },
    {
      figure: "OpenTelemetry span, 3 attributes + 3 events, added sync / async (ns)",
      measured: `${fmt(m("otel sync"))} / ${fmt(m("otel async"))}`,
      reference: `${NOTES}: ~2,060 / ~2,460`,
      target: "",
      verdict: "",
    },
    {
      figure: "explicit API: start (3 attributes) + 3 status + done, added per task (ns)",
      measured: fmt(m("explicit")),
      reference: `${GO_ORIGIN}: ${GO_EXPLICIT_NS} ns`,
      target: `≤ 0.75× the original (≤ ${fmt(EXPLICIT_TARGET_NS)} ns)`,
      verdict: verdict(m("explicit") <= EXPLICIT_TARGET_NS),
    },
    { figure: "OpenTelemetry span ÷ proclist, sync", measured: `${fmt(m("ratio sync"), 1)}×`, reference: "", target: "", verdict: "" },
    {
      figure: "OpenTelemetry span ÷ proclist, async",
      measured: `${fmt(m("ratio async"), 1)}×`,
      reference: "",
      target: `≥ ${MIN_OTEL_RATIO}×`,
      verdict: verdict(m("ratio async") >= MIN_OTEL_RATIO),
    },
    {
      figure: "of the floor, the part no tracker skips: one AsyncLocalStorage.run + 5 timestamps (ns, share of the floor's sync figure)",
      measured: `${fmt(m("unavoidable"))} (${fmt(m("unavoidable of floor"), 2)}× floor)`,
      reference: "",
      target: "",
      verdict: "",
    },
    {
      figure: "OpenTelemetry span ÷ the Node floor itself, async (the most any tracker with that floor can show)",
      measured: `${fmt(m("floor ratio async"), 1)}×`,
      reference: "",
      target: "",
      verdict: "",
    },
  ];
  return rows;
};
