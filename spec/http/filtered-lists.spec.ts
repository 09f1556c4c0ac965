import { expect } from "chai";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ProcessManager, ServedApi } from "../../lib";
import { call, startApi } from "./http-helpers";

describe("filtered and sorted lists", () => {
  let api: ServedApi & { manager: ProcessManager };
  beforeEach(async () => (api = await startApi()));
  afterEach(() => api.close());

  it("never serializes an object attribute per request, whatever reads it: lists, filters, the task", async () => {
    let serialized = 0;
    const payload = {
      toJSON() {
        serialized++;
        return { rows: Array.from({ length: 50 }, (_, i) => ({ i, text: "x".repeat(10) })) };
      },
    };
    const handle = api.manager.start("big", { attrs: { payload } });
    for (let i = 0; i < 100; i++) api.manager.start(`other-${i}`, { attrs: { payload: { small: i } } });
    const reads = [
      "/procs/",
      "/procs/big",
      "/procs/?attr.payload=nothing",
      "/procs/?attr.payload=nothing-else&sort=-statusTime",
      "/procs/?attr.payload=%7B%22small%22%3A7%7D",
      "/procs/?sort=id&limit=3",
    ];
    for (let round = 0; round < 5; round++) {
      for (const path of reads) expect((await call(api, "GET", path)).status, path).to.equal(200);
    }
    expect(serialized).to.equal(1);
    expect(
      (await call(api, "GET", "/procs/?attr.payload=%7B%22small%22%3A7%7D")).json.procs.map((p: { id: string }) => p.id),
    ).to.deep.equal(["other-7"]);
    handle.status("changed");
    for (const path of reads) expect((await call(api, "GET", path)).status, path).to.equal(200);
    expect(serialized, "the task keeps a plain copy, made once when the attribute was set").to.equal(1);
    handle.setAttribute("payload", { small: 7 });
    expect(
      (await call(api, "GET", "/procs/?attr.payload=%7B%22small%22%3A7%7D")).json.procs.map((p: { id: string }) => p.id),
    ).to.deep.equal(["big", "other-7"]);
  });

  it("answers a large filtered, sorted list whole and intact to several clients at once", async () => {
    for (let i = 0; i < 3_000; i++)
      api.manager.start(`big-${i}`, { name: i % 2 === 0 ? "even" : "odd", attrs: { uri: `/orders/${i}?${"x".repeat(200)}`, note: "é✓" } });
    const paths = [
      "/procs/?name=even&sort=-id",
      "/procs/?sort=-procTime",
      "/procs/?name=even&sort=-id",
      "/procs/?sort=-procTime&limit=2999",
    ];
    const answers = await Promise.all(paths.map((path) => call(api, "GET", path)));
    for (const [i, answer] of answers.entries()) {
      expect(answer.status).to.equal(200);
      expect(Number(answer.headers["content-length"]))
        .to.equal(Buffer.byteLength(answer.text))
        .and.to.be.above(256 * 1024);
      expect(answer.json.procs[0].attrs.note).to.equal("é✓");
      if (i % 2 === 0)
        expect(answer.json.procs.map((p: { name: string }) => p.name))
          .to.have.length(1_500)
          .and.not.include("odd");
      else
        expect(answer.json.procs.map((p: { id: string }) => p.id)).to.deep.equal(
          Array.from({ length: 3_000 - (i === 3 ? 1 : 0) }, (_, k) => `big-${2_999 - k}`),
        );
    }
    expect(answers[0].text.slice(0, -40)).to.equal(answers[2].text.slice(0, -40));
    const ids = answers[0].json.procs.map((p: { id: string }) => p.id);
    expect(ids).to.deep.equal([...ids].sort().reverse());
    expect(answers[3].json.procs).to.have.length(2_999);
  });

  it("answers HEAD on a filtered list with its length and no body", async () => {
    api.manager.start("one", { name: "n" });
    const get = await call(api, "GET", "/procs/?name=n");
    const head = await call(api, "HEAD", "/procs/?name=n");
    expect(head.status).to.equal(200);
    expect(head.text).to.equal("");
    expect(Number(head.headers["content-length"])).to.be.within(Buffer.byteLength(get.text) - 5, Buffer.byteLength(get.text) + 5);
  });
});

describe("lists made a slice per event-loop turn", () => {
  let api: ServedApi & { manager: ProcessManager };
  beforeEach(async () => {
    api = await startApi();
    for (let i = 0; i < 10_000; i++) api.manager.start(`t-${i}`, { name: i % 3 === 0 ? "three" : "other", attrs: { n: i } });
  });
  afterEach(() => api.close());

  /** Whether the answer to `path` had begun by the first event-loop turn after its request arrived. */
  async function answeredWithinOneTurn(path: string): Promise<boolean> {
    let begun: boolean | undefined;
    const onStart = (message: unknown) => {
      const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
      if (request.url === path) setImmediate(() => (begun ??= response.headersSent));
    };
    subscribe("http.server.request.start", onStart);
    try {
      const answer = await call(api, "GET", path);
      expect(answer.status, answer.text.slice(0, 200)).to.equal(200);
    } finally {
      unsubscribe("http.server.request.start", onStart);
    }
    return begun!;
  }

  it("filters and sorts 10,000 tasks over several turns, so the service's own requests go between", async () => {
    expect(await answeredWithinOneTurn("/procs/?name=three&attr.n=3000&sort=-statusTime")).to.equal(false);
    expect(await answeredWithinOneTurn("/procs/?status=init&attr.n=42")).to.equal(false);
  });

  it("rebuilds the list of 10,000 changed tasks over several turns", async () => {
    for (const task of api.manager.taskArray()) task.status("changed");
    expect(await answeredWithinOneTurn("/procs/")).to.equal(false);
  });

  it("answers at once what is kept, or quick to make", async () => {
    await call(api, "GET", "/procs/?name=three");
    expect(await answeredWithinOneTurn("/procs/?name=three")).to.equal(true);
    api.manager.taskArray()[5].status("one change");
    await call(api, "GET", "/procs/");
    api.manager.taskArray()[7].status("another");
    expect(await answeredWithinOneTurn("/procs/")).to.equal(true);
  });

  it("shows every change made before a request, even while a build for an older state is under way", async () => {
    const first = call(api, "GET", "/procs/?name=three");
    await new Promise((resolve) => setImmediate(resolve));
    api.manager.status("t-9999", "late change");
    const second = call(api, "GET", "/procs/?name=three");
    const [a, b] = await Promise.all([first, second]);
    expect(a.json.procs).to.have.length(3_334);
    expect(b.json.procs.find((p: { id: string }) => p.id === "t-9999").status).to.equal("late change");
  });
});
