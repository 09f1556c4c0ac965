import type { Outcome, Task } from "./task";

/** A snapshot of a live task, as `list()` returns it. Times are epoch ms with sub-ms precision. */
export interface TaskInfo {
  id: string;
  name: string;
  attrs: Record<string, unknown>;
  procTime: number;
  statusTime: number;
  status: string;
  cancelling: boolean;
  parent: string | undefined;
  /** History entries the bound overwrote. */
  droppedHistory: number;
}

/** A snapshot of a finished task, as `finished()` returns it. */
export interface FinishedTaskInfo extends TaskInfo {
  outcome: Outcome;
  endTime: number;
  durationMs: number;
  killedBy: string | undefined;
  error: string | undefined;
}

export function snapshot(task: Task): TaskInfo {
  return {
    id: task.id,
    name: task.name,
    attrs: { ...task.attrs },
    procTime: task.history.firstTime,
    statusTime: task.history.lastTime,
    status: task.history.lastStatus,
    cancelling: task.cancelling,
    parent: task.parent?.id,
    droppedHistory: task.history.dropped,
  };
}
