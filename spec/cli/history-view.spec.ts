import { expect } from "chai";
import chalk from "chalk";
import type { RemoteTask } from "../../lib";
import type { Target } from "../../lib/cli/connect";
import { renderHistory, type Found } from "../../lib/cli/history-view";

/** Local times, so the expectations hold in any TZ the spec runs with. */
const START = new Date(2026, 10, 23, 23, 58, 30, 250).getTime();
const SAME_DAY = new Date(2026, 10, 23, 23, 59, 59).getTime();
const NEXT_DAY = new Date(2026, 10, 24, 0, 1, 0).getTime();

function found(url: string, running: RemoteTask | undefined): Found {
  const target = { endpoint: { url, label: url.replace(/^\w+:\/\//, "") }, client: {} } as unknown as Target;
  return {
    target,
    task: running,
    history: {
      history: [
        { ts: START, status: "init" },
        { ts: START + 1500, status: "querying" },
      ],
      serverTime: START + 4000,
      dropped: 0,
    },
  };
}

const proc = { id: "req 42/a", attrs: {}, procTime: START, statusTime: START + 1500, status: "querying", cancelling: false };
const live: RemoteTask = { proc, running: true, serverTime: START + 4000 };

describe("proclist history's text", () => {
  let level: typeof chalk.level;
  before(() => ((level = chalk.level), (chalk.level = 0)));
  after(() => (chalk.level = level));

  it("says what a running task waits on now and since when, and the waits it finished that lasted", () => {
    const waiting: RemoteTask = {
      proc: { ...proc, waits: [{ kind: "fetch", target: "GET payments:443/charge", since: START + 1600 }] },
      running: true,
      serverTime: START + 4000,
    };
    const f = found("127.0.0.1:8081", waiting);
    f.history.waits = [{ kind: "redis", target: "GET 10.0.0.5:6379", since: START + 100, durationMs: 1200, outcome: "ok" }];
    const lines = renderHistory("req 42/a", f, SAME_DAY);
    expect(lines).to.include("waiting on: fetch GET payments:443/charge since 23:58:31.850 (2.40s so far)");
    expect(lines).to.include("waited on: redis GET 10.0.0.5:6379 at 23:58:30.350 for 1.20s (ok)");
    // A task that waits on nothing gets no such line.
    expect(renderHistory("req 42/a", found("127.0.0.1:8081", live), SAME_DAY).join("\n")).to.not.contain("waiting on");
  });

  it("shows times alone for a task that started today, and with the date when it did not", () => {
    const today = renderHistory("req 42/a", found("http://127.0.0.1:8081", live), SAME_DAY);
    expect(today[2]).to.match(/^\+0ms +23:58:30\.250 {2}/);
    const later = renderHistory("req 42/a", found("http://127.0.0.1:8081", live), NEXT_DAY);
    expect(later[2]).to.match(/^\+0ms +2026-11-23 23:58:30\.250 {2}/);
    expect(later[3]).to.match(/^\+1\.50s +2026-11-23 23:58:31\.750 {2}/);
  });

  it("ends with the web page's link to the task when the endpoint is a proclist server's URL", () => {
    expect(renderHistory("req 42/a", found("http://127.0.0.1:8081", live), SAME_DAY).at(-1)).to.equal(
      "open: http://127.0.0.1:8081/#task=req%2042%2Fa",
    );
    expect(renderHistory("req 42/a", found("https://ops.example/pm", live), SAME_DAY).at(-1)).to.equal(
      "open: https://ops.example/pm/#task=req%2042%2Fa",
    );
    // The original Go server (no GET /procs/:id, so no task) serves no page; a fleet instance has no URL.
    expect(renderHistory("req 42/a", found("http://127.0.0.1:8081", undefined), SAME_DAY).join("\n")).to.not.contain("open:");
    expect(renderHistory("req 42/a", found("redis://127.0.0.1:6379#default/api-1", live), SAME_DAY).join("\n")).to.not.contain("open:");
  });
});
