/** What the runner passes to every case, in its child process. */
export interface CaseOptions {
  quick: boolean;
  /** Case-specific selector (e.g. which side of an A/B comparison this process runs). */
  variant?: string;
}

/** A case's figures: metric name → number. */
export type Figures = Record<string, number>;

/** The timing budget of per-call cases. */
export function timing(options: CaseOptions): { rounds: number; batchMs: number } {
  return options.quick ? { rounds: 3, batchMs: 5 } : { rounds: 15, batchMs: 40 };
}
