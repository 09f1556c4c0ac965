/**
 * Figures of the original Go library (VividCortex/pm), which this run does not measure: its source
 * is not part of this repository, so they are printed as an outside reference with their origin,
 * and no "×" in the tables is computed from them.
 */
export const GO_ORIGIN = "Go pm, measured on this machine by an outside check (issue 14), not in this run";

/** The original's `GET /procs/` requests/s under wrk (16 connections), by live tasks. */
export const GO_LIST_RPS: Record<number, string> = { 100: "2,112", 1000: "110", 10000: "5.6" };

/** The original's cost of Start + 3 Status + Done. */
export const GO_CALL = "2.2–2.9 µs per Start + 3 Status + Done";
