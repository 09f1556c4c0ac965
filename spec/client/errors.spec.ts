import { expect } from "chai";
import { AuthenticationError, HttpStatusError, InvalidResponseError, ProclistClient, TransportError } from "../../lib";
import { rejectionOf, thrownBy } from "../helpers";
import { deadPort, fakeServer, json, type FakeServer } from "./fake-server";

const T = "2026-11-24T09:00:00.000001Z";
const proc = { id: "a", procTime: T, statusTime: T, status: "init" };

describe("ProclistClient errors", () => {
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  describe("a server answering garbage", () => {
    const cases: { name: string; body: string; field: string; problem: RegExp }[] = [
      { name: "a body that is not JSON", body: "<html>oops</html>", field: "", problem: /not JSON: "<html>oops<\/html>"/ },
      { name: "an empty body", body: "", field: "", problem: /not JSON: an empty body/ },
      { name: "a missing list", body: JSON.stringify({ serverTime: T }), field: "procs", problem: /is missing/ },
      {
        name: "a task without an id",
        body: JSON.stringify({ procs: [{ ...proc, id: undefined }], serverTime: T }),
        field: "procs.0.id",
        problem: /is missing/,
      },
      {
        name: "a status of the wrong type",
        body: JSON.stringify({ procs: [proc, { ...proc, status: 7 }], serverTime: T }),
        field: "procs.1.status",
        problem: /must be string, got 7/,
      },
      {
        name: "a time that is not RFC 3339",
        body: JSON.stringify({ procs: [{ ...proc, procTime: "yesterday" }], serverTime: T }),
        field: "procs.0.procTime",
        problem: /must match pattern/,
      },
      {
        name: "a date that does not exist",
        body: JSON.stringify({ procs: [{ ...proc, statusTime: "2026-13-45T09:00:00Z" }], serverTime: T }),
        field: "procs.0.statusTime",
        problem: /not a valid time/,
      },
      {
        name: "attributes that are not an object",
        body: JSON.stringify({ procs: [{ ...proc, attrs: "x=1" }], serverTime: T }),
        field: "procs.0.attrs",
        problem: /must be object/,
      },
    ];
    for (const { name, body, field, problem } of cases) {
      it(`rejects ${name} with InvalidResponseError naming the URL and the field`, async () => {
        server = await fakeServer((_req, res) => json(res, 200, body));
        const error = await rejectionOf(new ProclistClient(server.url).processes());
        expect(error)
          .to.be.instanceOf(InvalidResponseError)
          .and.include({ field, url: `${server.url}/procs/`, method: "GET" });
        expect((error as Error).message)
          .to.match(new RegExp(`^GET ${server.url}/procs/: invalid answer`))
          .and.match(problem);
        if (field !== "") expect((error as Error).message).to.contain(`"${field}"`);
      });
    }

    it("rejects a history entry without a status, a history without entries, and a stats row without latencies", async () => {
      server = await fakeServer((req, res) =>
        req.url === "/stats"
          ? json(res, 200, { stats: [{ name: "x", running: 0, started: 1, ended: 1, killed: 0, aborted: 0, phases: {} }], serverTime: T })
          : json(res, 200, { history: req.url === "/procs/empty/history" ? [] : [{ ts: T }], serverTime: T }),
      );
      const client = new ProclistClient(server.url);
      expect(await rejectionOf(client.history("a")))
        .to.be.instanceOf(InvalidResponseError)
        .and.have.property("field", "history.0.status");
      expect(await rejectionOf(client.history("empty")))
        .to.be.instanceOf(InvalidResponseError)
        .and.have.property("field", "history");
      expect(await rejectionOf(client.stats()))
        .to.be.instanceOf(InvalidResponseError)
        .and.have.property("field", "stats.0.latencyMs");
    });
  });

  it("answers a 401 with AuthenticationError, saying whether a token was sent", async () => {
    server = await fakeServer((_req, res) => json(res, 401, { error: "missing or wrong bearer token" }));
    const without = await rejectionOf(new ProclistClient(server.url).processes());
    expect(without).to.be.instanceOf(AuthenticationError).and.have.property("serverMessage", "missing or wrong bearer token");
    expect((without as Error).message).to.contain("needs a token");
    const wrong = await rejectionOf(new ProclistClient(server.url, { token: "nope" }).processes());
    expect((wrong as Error).message).to.contain("token was refused");
  });

  it("sends the token as a bearer authorization header", async () => {
    server = await fakeServer((_req, res) => json(res, 200, { procs: [], serverTime: T }));
    await new ProclistClient(server.url, { token: "s3cret" }).processes();
    expect(server.seen[0].headers.authorization).to.equal("Bearer s3cret");
  });

  it("answers an unexpected status with HttpStatusError carrying the server's message", async () => {
    server = await fakeServer((_req, res) => json(res, 500, { error: "boom" }));
    const error = await rejectionOf(new ProclistClient(server.url).processes());
    expect(error).to.be.instanceOf(HttpStatusError).and.include({ status: 500, serverMessage: "boom" });
    expect((error as Error).message).to.equal(`GET ${server.url}/procs/: HTTP 500: boom`);
  });

  it("answers a refused connection with TransportError naming the URL", async () => {
    const port = await deadPort();
    const error = await rejectionOf(new ProclistClient(`127.0.0.1:${port}`).processes());
    expect(error).to.be.instanceOf(TransportError).and.have.property("url", `http://127.0.0.1:${port}/procs/`);
    expect((error as Error).message).to.equal(
      `GET http://127.0.0.1:${port}/procs/: connection refused (is the server running, and on this port?)`,
    );
  });

  it("says an https URL reached a plain http server, for requests and the events stream alike", async () => {
    server = await fakeServer((_req, res) => json(res, 200, { procs: [], serverTime: T }));
    const client = new ProclistClient(server.url.replace("http:", "https:"));
    const hint = "TLS handshake failed (is it http rather than https?)";
    for (const attempt of [() => client.processes(), () => client.kill("a"), () => client.events().next()]) {
      const error = await rejectionOf(attempt());
      expect(error).to.be.instanceOf(TransportError).and.have.property("reason", hint);
    }
  });

  it("gives up on a server that never answers after timeoutMs", async () => {
    server = await fakeServer(() => undefined);
    // The server never answers: only the client's own timeout can end the call (its reason says which).
    const error = await rejectionOf(new ProclistClient(server.url, { timeoutMs: 200 }).processes());
    expect(error).to.be.instanceOf(TransportError).and.have.property("reason", "no answer within 200 ms");
  });

  it("rejects a wrong option or endpoint with a TypeError naming it", () => {
    expect(thrownBy(() => new ProclistClient("127.0.0.1:8081", { timeoutMs: -1 })))
      .to.be.instanceOf(TypeError)
      .with.property("message")
      .that.matches(/timeoutMs.*-1/);
    expect(thrownBy(() => new ProclistClient("127.0.0.1:8081", { tokn: "x" } as never)))
      .to.be.instanceOf(TypeError)
      .with.property("message")
      .that.contains("tokn");
    expect(thrownBy(() => new ProclistClient("ftp://host:21")))
      .to.be.instanceOf(TypeError)
      .with.property("message")
      .that.contains('"ftp://host:21"');
  });
});
