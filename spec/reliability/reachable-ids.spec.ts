import { expect } from "chai";
import { ProclistClient, TaskId, Tracked, currentTask, type ProcessManager } from "../../lib";
import { MAX_ID_LENGTH } from "../../lib/core/task-id";
import { proclist } from "../cli/fixture";
import { startApi } from "../http/http-helpers";
import { thrownBy } from "../helpers";

/** Ids at the edges of the rule: the longest, multi-byte, surrogate pairs, URL syntax, dots, route names. */
const EDGE_IDS = [
  "x".repeat(MAX_ID_LENGTH),
  "é".repeat(MAX_ID_LENGTH),
  "😀".repeat(MAX_ID_LENGTH / 2),
  "...",
  ".a",
  "a/b/../c",
  "%2E",
  "?q=1#frag",
  "events",
  "finished",
  " spaced ",
  "tab\tand\nnewline",
  "~",
];

class Api {
  constructor(readonly pm: ProcessManager) {}

  @Tracked()
  handle(@TaskId() requestId: string): string {
    return currentTask()!.id;
  }
}

describe("every id a task can have is reachable over HTTP", function () {
  this.timeout(60_000);

  it("refuses, where ids are made, the ids no URL can carry: too long, . and .., lone surrogates", async () => {
    const api = await startApi();
    try {
      for (const bad of ["x".repeat(MAX_ID_LENGTH + 1), ".", "..", "a\ud800", ""]) {
        expect(
          thrownBy(() => api.manager.start(bad)),
          JSON.stringify(bad.slice(0, 10)),
        ).to.be.instanceOf(TypeError);
        // Through a decorator the call runs under a generated id, which is reachable.
        const id = new Api(api.manager).handle(bad);
        expect(id).to.match(/^[0-9a-z]+$/);
        expect((await new ProclistClient(api.url).task(id)).proc.id).to.equal(id);
      }
    } finally {
      await api.close();
    }
  });

  it("reaches each edge id with the client: the task, its history and the kill", async () => {
    const api = await startApi();
    const client = new ProclistClient(api.url);
    try {
      for (const id of EDGE_IDS) {
        api.manager.start(id, { name: "edge" });
        const label = JSON.stringify(id.slice(0, 12));
        expect((await client.task(id)).proc.id, label).to.equal(id);
        expect(
          (await client.history(id)).history.map((e) => e.status),
          label,
        ).to.deep.equal(["init"]);
        await client.kill(id, "reached");
        expect(api.manager.get(id)!.cancelling, label).to.equal(true);
        api.manager.done(id);
      }
    } finally {
      await api.close();
    }
  });

  it("reaches edge ids with the proclist command (history and kill)", async function () {
    this.timeout(180_000);
    const api = await startApi();
    const endpoint = `127.0.0.1:${api.port}`;
    try {
      // A child process per command: a sample of the edges keeps this spec short.
      for (const id of [EDGE_IDS[1], "...", "?q=1#frag", "events"]) {
        api.manager.start(id, { name: "edge" });
        const history = await proclist(["history", id, "-e", endpoint, "--json"]);
        expect(history.code, `${JSON.stringify(id.slice(0, 12))}: ${history.stderr}`).to.equal(0);
        const kill = await proclist(["kill", id, "-e", endpoint]);
        expect(kill.code, `${JSON.stringify(id.slice(0, 12))}: ${kill.stderr}`).to.equal(0);
        expect(api.manager.get(id)!.cancelling).to.equal(true);
        api.manager.done(id);
      }
    } finally {
      await api.close();
    }
  });
});
