import { expect } from "chai";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import express from "express";
import { requestTracker, trackRequests, type ProcessManager } from "../../lib";
import { freshManager, listenOnLoopback, waitFor } from "../helpers";
import { closeServer } from "../requests/fixture";

/** A handler that never looks at its task's signal: it answers only when the spec releases it. */
function stubborn(gates: (() => void)[]) {
  return (_req: IncomingMessage, res: ServerResponse) => void gates.push(() => res.end("late"));
}

/** Eight requests written at once on one connection (HTTP/1.1 pipelining). */
function pipeline(port: number, count = 8): Socket {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  socket.write(Array.from({ length: count }, (_, i) => `GET /slow/${i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`).join(""));
  return socket;
}

const servers: Record<string, (pm: ProcessManager, timeoutMs: number | undefined, gates: (() => void)[]) => Server> = {
  "trackRequests (node:http)": (pm, timeoutMs, gates) => {
    const server = createServer(stubborn(gates));
    trackRequests(server, { manager: pm, timeoutMs });
    return server;
  },
  "requestTracker (express)": (pm, timeoutMs, gates) => {
    const app = express();
    app.use(requestTracker({ manager: pm, timeoutMs }));
    app.get("/slow/:n", stubborn(gates));
    return createServer(app);
  },
};

describe("pipelined requests on a connection that closes", () => {
  let server: Server | undefined;
  let gates: (() => void)[] = [];
  afterEach(async () => {
    for (const release of gates) release();
    gates = [];
    if (server !== undefined) await closeServer(server);
    server = undefined;
  });

  for (const [kind, make] of Object.entries(servers)) {
    it(`${kind}: every queued request's task ends, killed by the client, when the connection closes`, async () => {
      const pm = freshManager();
      server = make(pm, undefined, gates);
      const { port } = await listenOnLoopback(server);
      const socket = pipeline(port);
      await waitFor("eight live tasks", () => pm.list().length === 8);
      socket.destroy();
      await waitFor("no live task", () => pm.list().length === 0);
      const ended = pm.finished();
      expect(ended).to.have.length(8);
      for (const task of ended) expect(task).to.deep.include({ outcome: "killed", killedBy: "client" });
    });

    it(`${kind}: queued requests killed by timeoutMs end instead of staying cancelling once the connection closes`, async () => {
      const pm = freshManager();
      server = make(pm, 50, gates);
      const { port } = await listenOnLoopback(server);
      const socket = pipeline(port);
      await waitFor("eight tasks killed by their timeout", () => pm.finished().length + pm.list().filter((t) => t.cancelling).length === 8);
      socket.destroy();
      await waitFor("no live task", () => pm.list().length === 0);
      expect(pm.finished().map((t) => t.outcome)).to.deep.equal(Array(8).fill("killed"));
    });
  }
});
