import { expect } from "chai";
import { createServer, type Server } from "node:http";
import polka from "polka";
import { ProcessManager, requestTracker, trackRequests } from "../../lib";
import { freshManager, listenOnLoopback } from "../helpers";
import { closeServer, until } from "./fixture";

/**
 * A request's task creates its AbortSignal only when something reads it: most requests are never
 * killed, and a signal costs ~2 µs and ~730 bytes. Counted by replacing the global AbortController
 * (what the task constructs) with a subclass that counts its instances.
 */
describe("request tracking and the task's signal", () => {
  const Original = globalThis.AbortController;
  let created = 0;
  let pm: ProcessManager;
  let server: Server;

  before(() => {
    globalThis.AbortController = class CountingAbortController extends Original {
      constructor() {
        super();
        created++;
      }
    };
  });
  after(() => {
    globalThis.AbortController = Original;
  });
  beforeEach(() => {
    pm = freshManager();
    created = 0;
  });
  afterEach(() => closeServer(server));

  async function hundredRequests(url: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const answer = await fetch(`${url}/hello`, { signal: undefined });
      expect(await answer.text()).to.equal("hello");
    }
  }

  /** fetch itself makes AbortControllers in this process: count them on a plain server first. */
  async function baseline(): Promise<number> {
    const plain = createServer((_req, res) => res.end("hello"));
    const { url } = await listenOnLoopback(plain);
    created = 0;
    await hundredRequests(url);
    await closeServer(plain);
    return created;
  }

  it("trackRequests: a hundred requests nobody kills create no signal", async () => {
    const untracked = await baseline();
    server = createServer((_req, res) => res.end("hello"));
    trackRequests(server, { manager: pm });
    const { url } = await listenOnLoopback(server);
    created = 0;
    await hundredRequests(url);
    await until(() => pm.finished().length === 100);
    expect(created).to.equal(untracked);
  });

  it("requestTracker: a hundred requests nobody kills create no signal, and a killed one is still answered", async () => {
    const untracked = await baseline();
    let hang: (() => void) | undefined;
    const app = polka()
      .use(requestTracker({ manager: pm }))
      .get("/hello", (_req, res) => res.end("hello"))
      .get("/hang", (_req, res) => void new Promise<void>((resolve) => (hang = resolve)).then(() => res.end("late")));
    server = app.server = createServer(app.handler as never);
    const { url } = await listenOnLoopback(server);
    created = 0;
    await hundredRequests(url);
    await until(() => pm.finished().length === 100);
    expect(created).to.equal(untracked);
    const answer = fetch(`${url}/hang`);
    await until(() => pm.list().some((task) => task.name.startsWith("GET /hang")));
    const [task] = pm.list().filter((t) => t.name.startsWith("GET /hang"));
    pm.kill(task.id, "too slow");
    const killed = await answer;
    expect(killed.status).to.equal(503);
    expect(await killed.json()).to.deep.equal({ error: `task "${task.id}" was cancelled: too slow` });
    hang?.();
  });
});
