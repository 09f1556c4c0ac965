import { execFile } from "node:child_process";
import autocannon from "autocannon";

/** What a load run measured. */
export interface LoadResult {
  rps: number;
  /** Requests answered in all. */
  requests: number;
  p99Ms: number;
  errors: number;
}

/**
 * Loads `url` with wrk (one thread, `connections` connections) for `seconds`; a Lua `script`
 * may make each request (see `hostileQueries`).
 * wrk, in C, is used where answers are large: a Node load generator parsing 2 MB bodies would
 * be the bottleneck itself.
 */
export function wrk(url: string, connections: number, seconds: number, script?: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const args = ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", ...(script === undefined ? [] : ["-s", script]), url];
    execFile("wrk", args, { timeout: (seconds + 30) * 1000 }, (error, stdout) => {
      if (error !== null) return reject(new Error(`wrk failed (is the Debian package wrk installed?): ${error.message}`));
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
      const requests = /(\d+) requests in/.exec(stdout);
      const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(stdout);
      const errors = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout);
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      if (rps === null || p99 === null || requests === null) return reject(new Error(`cannot read wrk's output:\n${stdout}`));
      const unit = p99[2] === "us" ? 1e-3 : p99[2] === "s" ? 1e3 : 1;
      const socketErrors = socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0);
      resolve({
        rps: Number(rps[1]),
        requests: Number(requests[1]),
        p99Ms: Number(p99[1]) * unit,
        errors: Number(errors?.[1] ?? 0) + socketErrors,
      });
    });
  });
}

/**
 * Loads `url` with autocannon for `seconds`: `connections` connections as fast as they go, or
 * at `rate` requests per second overall when given (a latency probe that does not saturate).
 */
export async function cannon(url: string, connections: number, seconds: number, rate?: number): Promise<LoadResult> {
  const result = await autocannon({ url, connections, duration: seconds, overallRate: rate });
  return {
    rps: result.requests.average,
    requests: result.requests.total,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}
