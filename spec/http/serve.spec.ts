import { expect } from "chai";
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import polka from "polka";
import { createApp, ProcessManager, serve, type ServedApi } from "../../lib"; // first: it loads reflect-metadata, which tsyringe needs
import { container } from "tsyringe";
import { listenOnLoopback, rejectionOf } from "../helpers";
import { call, rawAnswer } from "./http-helpers";

describe("serve()", () => {
  let api: ServedApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it("listens on loopback and resolves to its url and port; port 0 picks a free one", async () => {
    api = await serve({ port: 0, manager: new ProcessManager() });
    expect(api.port).to.be.greaterThan(0);
    expect(api.url).to.equal(`http://127.0.0.1:${api.port}`);
    expect(api.server.address()).to.include({ address: "127.0.0.1" });
    expect((await call(api, "GET", "/procs/")).status).to.equal(200);
  });

  it("serves the container's ProcessManager unless given one", async () => {
    api = await serve({ port: 0 });
    const root = container.resolve(ProcessManager);
    root.start("from-the-container");
    try {
      const procs = (await call(api, "GET", "/procs/")).json.procs;
      expect(procs.map((p: { id: string }) => p.id)).to.include("from-the-container");
    } finally {
      root.done("from-the-container");
    }
  });

  it("rejects wrong options with a TypeError naming the option and the value", async () => {
    expect(await rejectionOf(serve({ port: 70000 })))
      .to.be.instanceOf(TypeError)
      .with.property("message")
      .that.contains('"port"')
      .and.contains("70000");
    expect(await rejectionOf(serve({ prot: 1 } as never)))
      .to.be.instanceOf(TypeError)
      .with.property("message")
      .that.contains('"prot"');
    expect(await rejectionOf(serve({ manager: {} as never })))
      .to.be.instanceOf(TypeError)
      .with.property("message")
      .that.contains('"manager"');
    expect(await rejectionOf(serve({ token: "" })))
      .to.be.instanceOf(TypeError)
      .with.property("message")
      .that.contains('"token"');
    expect(await rejectionOf(serve({ token: "has space" }))).to.be.instanceOf(TypeError);
    expect(await rejectionOf(serve({ protectedMode: "no" as never })))
      .to.be.instanceOf(TypeError)
      .with.property("message")
      .that.contains('"protectedMode"')
      .and.contains('"no"');
    expect(await rejectionOf(serve({ peer: "x" as never })))
      .to.be.instanceOf(TypeError)
      .with.property("message")
      .that.contains('"peer"');
    expect(await rejectionOf(serve({ heartbeatMs: 1.5 })))
      .to.be.instanceOf(TypeError)
      .with.property("message")
      .that.contains('"heartbeatMs"');
    expect(() => createApp({ host: "0.0.0.0" } as never)).to.throw(TypeError, /"host"/);
  });

  it("rejects with a clear error when the port is taken", async () => {
    api = await serve({ port: 0, manager: new ProcessManager() });
    const error = await rejectionOf(serve({ port: api.port, manager: new ProcessManager() }));
    expect(error).to.be.instanceOf(Error).with.property("message").that.contains(`127.0.0.1:${api.port}`).and.contains("EADDRINUSE");
  });

  it("close() ends event streams, stops listening and resolves", async () => {
    api = await serve({ port: 0, manager: new ProcessManager() });
    let connected = () => {};
    const streaming = new Promise<void>((resolve) => (connected = resolve));
    const ended = new Promise<string>((resolve, reject) => {
      get(`${api!.url}/procs/events`, (res) => {
        let text = "";
        res.on("data", (chunk) => {
          text += chunk;
          if (text.includes("proclist events")) connected();
        });
        res.on("end", () => resolve(text));
      }).on("error", reject);
    });
    // Close once the stream is open, however long connecting takes on a loaded machine.
    await streaming;
    await api.close();
    expect(await ended).to.contain("proclist events");
    expect(api.server.listening).to.equal(false);
    await api.close(); // twice is fine
  });

  it("answers malformed HTTP with a JSON 400", async () => {
    const served = (api = await serve({ port: 0, manager: new ProcessManager() }));
    const text = await rawAnswer(served.port, "GET /procs/ HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n");
    expect(text).to.match(/^HTTP\/1.1 400/);
    expect(JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4))).to.have.property("error");
  });
});

describe("createApp()", () => {
  let server: Server | undefined;
  afterEach(() => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined))));

  async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string }> {
    server = createServer(handler);
    return listenOnLoopback(server);
  }

  it("returns a handler for node:http", async () => {
    const manager = new ProcessManager();
    manager.start("t");
    const target = await listen(createApp({ manager }).handler);
    expect((await call(target, "GET", "/procs/t/history")).json.history[0].status).to.equal("init");
  });

  it("mounts under a prefix of the user's polka server (polka 0.5 mounts on one path segment)", async () => {
    const manager = new ProcessManager();
    manager.start("t");
    const proclist = createApp({ manager });
    const app = polka().use("/pm", proclist.polka as never);
    app.get("/hello", (_req, res) => res.end("hi"));
    const target = await listen(app.handler as never);
    expect((await call(target, "GET", "/pm/procs/")).json.procs[0].id).to.equal("t");
    expect((await call(target, "DELETE", "/pm/procs/t")).status).to.equal(200);
    expect((await call(target, "GET", "/hello")).text).to.equal("hi");
    expect(manager.get("t")!.cancelling).to.equal(true);
  });

  it("registers nothing globally: two apps serve their own managers", async () => {
    const a = new ProcessManager();
    const b = new ProcessManager();
    a.start("in-a");
    b.start("in-b");
    const appA = createApp({ manager: a });
    createApp({ manager: b });
    const target = await listen(appA.handler);
    expect((await call(target, "GET", "/procs/")).json.procs.map((p: { id: string }) => p.id)).to.deep.equal(["in-a"]);
  });
});
