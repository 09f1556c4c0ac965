import { expect } from "chai";
import { request, type ClientRequest } from "node:http";
import { ProcessManager, type ServedApi } from "../../lib";
import { filteredPiecesMade } from "../../lib/http/lists/filtered";
import { PacedBuild } from "../../lib/http/lists/build";
import { waitFor } from "../helpers";
import { call, startApi } from "./http-helpers";

/** Starts a GET whose answer is not read: the server keeps it under way until `req` is destroyed. */
function unread(api: ServedApi, path: string): Promise<ClientRequest> {
  const url = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, agent: false }, (res) => {
      res.pause();
      resolve(req);
    });
    req.on("error", (error) => ((error as NodeJS.ErrnoException).code === "ECONNRESET" ? undefined : reject(error)));
    req.end();
  });
}

/** Tasks whose list is several MB: ~8 KB of attributes each. */
function addBigTasks(manager: ProcessManager, count: number): void {
  const attrs: Record<string, string> = {};
  for (let k = 0; k < 8; k++) attrs[`a${k}`] = `${k}`.repeat(1000);
  for (let i = 0; i < count; i++) manager.start(`big-${i}`, { name: `n${i % 7}`, attrs });
}

describe("list work under load", () => {
  let api: (ServedApi & { manager: ProcessManager }) | undefined;
  const held: ClientRequest[] = [];
  afterEach(async () => {
    for (const req of held.splice(0)) req.destroy();
    await api?.close();
    api = undefined;
  });

  it("shares one rebuild between the callers that arrive while a large body is sent, each seeing every change made before it asked", async () => {
    api = await startApi();
    addBigTasks(api.manager, 3_000);
    held.push(await unread(api, "/procs/")); // a large body under way
    let rev = 0;
    const build = new PacedBuild(
      () => rev,
      () => {
        const at = rev;
        return () => {
          for (const end = Date.now() + 20; Date.now() < end; ); // a build of 20 ms CPU
          return `built at ${at}`;
        };
      },
    );
    const answers: { value: string; rev: number; asked: number }[] = [];
    await new Promise<void>((resolve) => {
      build.get(() => {
        // Changes between callers: without a pause between rebuilds, each would pay its own.
        for (let k = 0; k < 3; k++) {
          const asked = ++rev;
          build.get((error, value, builtAt) => {
            answers.push({ value: value as string, rev: builtAt!, asked });
            if (answers.length === 3) resolve();
          });
        }
      });
    });
    expect(build.builds).to.equal(2);
    expect(new Set(answers.map((a) => a.value))).to.deep.equal(new Set(["built at 3"]));
    for (const answer of answers) expect(answer.rev).to.be.at.least(answer.asked);
  });

  it("makes the pieces of concurrent filtered answers one per event-loop turn for the whole process", async () => {
    api = await startApi();
    addBigTasks(api.manager, 1_000);
    let most = 0;
    let ticking = true;
    let last = filteredPiecesMade();
    const tick = (): void => {
      const made = filteredPiecesMade();
      most = Math.max(most, made - last);
      last = made;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const queries = ["?sort=id", "?sort=-id", "?sort=-procTime", "?name=n1&name=n2&name=n3&name=n4&name=n5&name=n6&name=n0"];
    const before = filteredPiecesMade();
    const answers = await Promise.all(queries.map((query) => call(api!, "GET", `/procs/${query}`)));
    ticking = false;
    for (const answer of answers) {
      expect(answer.status).to.equal(200);
      expect(answer.json.procs).to.have.length(1_000);
    }
    expect(answers[1].json.procs.map((p: { id: string }) => p.id)).to.deep.equal(
      answers[0].json.procs.map((p: { id: string }) => p.id).reverse(),
    );
    expect(filteredPiecesMade() - before).to.be.at.least(4 * 100); // ~8 MB each, 64 KiB a piece
    expect(most).to.equal(1);
  });

  it("answers 503 with Retry-After to filtered lists past maxListQueries under way, and serves them again once one ends", async () => {
    api = await startApi({ maxListQueries: 1 });
    addBigTasks(api.manager, 3_000);
    held.push(await unread(api, "/procs/?sort=-id"));
    const refused = await call(api, "GET", "/procs/?name=n1");
    expect(refused.status).to.equal(503);
    expect(refused.headers["retry-after"]).to.equal("1");
    expect(refused.json.error).to.contain("maxListQueries");
    expect((await call(api, "GET", "/procs/finished")).status).to.equal(503);
    expect((await call(api, "GET", "/procs/")).status).to.equal(200); // the plain list is not queued
    held.pop()!.destroy();
    await waitFor("a filtered list answered again", async () => (await call(api!, "GET", "/procs/?name=n1")).status === 200);
  });

  it("counts every entry's bytes exactly, status changes included (multi-byte text, surrogate pairs, lone surrogates)", async () => {
    api = await startApi();
    const texts = ["é✓", "😀 ok", "lone \ud800 high", "lone \udc00 low", "x".repeat(300)];
    for (let i = 0; i < 1_500; i++)
      api.manager.start(`u-${i}`, { attrs: { note: texts[i % texts.length] } }).status(texts[(i + 1) % texts.length]);
    for (let i = 0; i < 1_500; i += 7) api.manager.status(`u-${i}`, texts[(i + 2) % texts.length]);
    for (const path of ["/procs/", "/procs/?sort=-id", "/procs/?attr.note=%C3%A9%E2%9C%93"]) {
      const answer = await call(api, "GET", path);
      expect(answer.status).to.equal(200);
      expect(Number(answer.headers["content-length"]), path).to.equal(Buffer.byteLength(answer.text));
      expect(answer.json.procs.length).to.be.above(0);
    }
  });

  it("refuses a wrong maxListQueries naming it", async () => {
    let error: unknown;
    try {
      await startApi({ maxListQueries: 0 });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(TypeError);
    expect(String(error)).to.contain("maxListQueries");
  });
});
