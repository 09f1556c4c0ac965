import { loopWatch, type LoopDelay } from "../core/loop-watch";
import type { ProcessManager } from "../core/manager";
import type { Outcome } from "../core/task";
import type { EndCounts } from "./end-counts";

/** Receives one sample: its label values (in `labelNames` order, then `le` for a bucket) and its value. */
export type Push = (labelValues: readonly string[], value: number, suffix?: "_bucket" | "_sum" | "_count") => void;

/**
 * Receives one block of a metric's samples, those of one task name: `key` names it (unique within
 * the metric), `rev` grows whenever any of its samples changes (undefined: may change at any time),
 * and `samples` pushes them. A writer may keep a block's text until its `rev` moves.
 */
export type Block = (key: string, rev: number | undefined, samples: (push: Push) => void) => void;

/** One metric: what it is, and how to walk its samples from the manager's counters at scrape time. */
export interface MetricDef {
  readonly name: string;
  readonly help: string;
  readonly type: "gauge" | "counter" | "histogram";
  readonly labelNames: readonly string[];
  collect(block: Block): void;
}

const OUTCOMES: readonly Outcome[] = ["ended", "killed", "aborted"];

/**
 * proclist's six metrics for one manager, read when scraped: nothing is stored per label set
 * between scrapes. `counts` (durations, kills) must be installed on the manager (`manager.extend`).
 */
export function proclistMetrics(manager: ProcessManager, counts: EndCounts): MetricDef[] {
  const { stats } = manager;
  const le = counts.buckets.map(String);
  return [
    {
      name: "proclist_tasks_running",
      type: "gauge",
      help: "Tasks running now, per task name.",
      labelNames: ["name"],
      collect: (block) => stats.forEachName((n) => block(n.name, n.revision, (push) => push([n.name], n.running))),
    },
    {
      name: "proclist_tasks_total",
      type: "counter",
      help: "Tasks ended, per task name and outcome (ended, killed, aborted).",
      labelNames: ["name", "outcome"],
      collect: (block) =>
        stats.forEachName((n) =>
          block(n.name, n.revision, (push) => {
            for (const outcome of OUTCOMES) push([n.name, outcome], n[outcome]);
          }),
        ),
    },
    {
      name: "proclist_task_duration_seconds",
      type: "histogram",
      help: "How long ended tasks took, per task name and outcome.",
      labelNames: ["name", "outcome"],
      collect: (block) => {
        for (const [name, ends] of counts.byName) {
          block(name, ends.rev, (push) => {
            for (const [outcome, d] of ends.durations) {
              let cumulative = 0;
              for (let i = 0; i < le.length; i++) push([name, outcome, le[i]], (cumulative += d.counts[i]), "_bucket");
              push([name, outcome, "+Inf"], d.count, "_bucket");
              push([name, outcome], d.sum, "_sum");
              push([name, outcome], d.count, "_count");
            }
          });
        }
      },
    },
    {
      name: "proclist_phase_seconds_total",
      type: "counter",
      help: "Seconds ended tasks spent in each status, per task name and status.",
      labelNames: ["name", "status"],
      collect: (block) =>
        stats.forEachName((n) =>
          block(n.name, n.revision, (push) => n.forEachPhase((status, _count, totalMs) => push([n.name, status], totalMs / 1000))),
        ),
    },
    {
      name: "proclist_wait_seconds_total",
      type: "counter",
      help: "Seconds tasks spent waiting on outbound operations (fetch, http, redis, mysql, waitOn kinds), per task name and wait kind, over ended waits.",
      labelNames: ["name", "kind"],
      collect: (block) =>
        stats.forEachName((n) =>
          block(n.name, n.revision, (push) => n.forEachWait((kind, _count, totalMs) => push([n.name, kind], totalMs / 1000))),
        ),
    },
    {
      name: "proclist_forced_kills_total",
      type: "counter",
      help: "Forced kills over, per task name, who asked and outcome: cooperated (ended on its cancel within the grace), forced (ended after the rungs), ignored (still running, marked as ignoring its cancel).",
      labelNames: ["name", "by_kind", "outcome"],
      collect: (block) => {
        for (const [name, ends] of counts.byName) {
          if (ends.forced.size === 0) continue;
          block(name, ends.rev, (push) => {
            for (const [key, value] of ends.forced) {
              const [kind, outcome] = key.split("\n");
              push([name, kind, outcome], value);
            }
          });
        }
      },
    },
    {
      name: "proclist_kills_total",
      type: "counter",
      help: "Kills accepted, per task name and who asked (token label, peer kind, client, deadline, code).",
      labelNames: ["name", "by_kind"],
      collect: (block) => {
        const live = new Map<string, Map<string, number>>();
        // Tasks killed but still stopping count now, not when they end: a stuck one is what the operator looks for.
        for (const task of manager.tasks()) {
          if (task.cancel === undefined) continue;
          const name = counts.labelOf(task.name);
          const kind = counts.kinds.of(task.killedBy);
          let byKind = live.get(name);
          if (byKind === undefined) live.set(name, (byKind = new Map()));
          byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
        }
        for (const [name, ends] of counts.byName) {
          const more = live.get(name);
          live.delete(name);
          if (ends.kills.size === 0 && more === undefined) continue;
          // A name with kills still stopping is read afresh: they can end or be killed without any rev moving.
          block(name, more === undefined ? ends.rev : undefined, (push) => {
            for (const [kind, value] of ends.kills) push([name, kind], value + (more?.get(kind) ?? 0));
            if (more !== undefined) for (const [kind, value] of more) if (!ends.kills.has(kind)) push([name, kind], value);
          });
        }
        for (const [name, byKind] of live)
          block(name, undefined, (push) => {
            for (const [kind, value] of byKind) push([name, kind], value);
          });
      },
    },
    {
      name: "proclist_loop_blocked_seconds_total",
      type: "counter",
      help: `Seconds the event loop was blocked past blockThresholdMs, per task name whose synchronous code held it; ${UNATTRIBUTED} for blocks no task could be tied to.`,
      labelNames: ["name"],
      collect: (block) => {
        manager.blocks.forEach((name, totals) => block(name, undefined, (push) => push([name], totals.seconds)));
        const { seconds } = loopWatch.unattributed;
        block(UNATTRIBUTED, undefined, (push) => push([UNATTRIBUTED], seconds));
      },
    },
    ...LOOP_DELAY.map(
      ([quantile, read]): MetricDef => ({
        name: `nodejs_eventloop_lag_${quantile}_seconds`,
        type: "gauge",
        help: `The ${quantile} of the event loop's delay over the last minute, in seconds.`,
        labelNames: [],
        collect: (block) => block("", undefined, (push) => push([], read(loopWatch.delay()) / 1000)),
      }),
    ),
  ];
}

/** The label of blocks no task could be tied to. */
export const UNATTRIBUTED = "(unattributed)";

/** The event loop's delay as prom-client's default metrics name it (there: since the last scrape; here: over the last minute). */
const LOOP_DELAY: readonly [string, (delay: LoopDelay) => number][] = [
  ["p50", (delay) => delay.p50Ms],
  ["p99", (delay) => delay.p99Ms],
  ["max", (delay) => delay.maxMs],
];
