import { expect } from "chai";
import { CancelForbiddenError, HttpStatusError, ProclistClient, TaskNotFoundError } from "../../lib";
import type { FakeServer } from "./fake-server";
import { goOriginal, LIST_PAIRS } from "./go-original";
import { rejectionOf } from "../helpers";

const at = (iso: string, extraMs: number) => Date.parse(iso) + extraMs;

describe("ProclistClient against an original Go pm server", () => {
  let server: FakeServer;
  afterEach(() => server.close());

  it("reads nanosecond times with local offsets, to the microsecond", async () => {
    server = await goOriginal();
    const list = await new ProclistClient(server.url).processes();
    const [req1, job2] = list.procs;
    expect(req1.procTime).to.be.closeTo(at("2026-11-24T09:00:00.123Z", 0.456789), 1e-3);
    expect(req1.statusTime).to.be.closeTo(at("2026-11-24T09:00:00.200Z", 0.0015), 1e-3);
    expect(job2.procTime).to.equal(Date.parse("2026-11-24T09:00:01Z"));
    expect(job2.statusTime).to.equal(Date.parse("2026-11-24T09:00:01.500Z"));
    expect(list.serverTime).to.equal(Date.parse("2026-11-24T09:00:02.750Z"));
  });

  it("fills in attrs and cancelling when the original omits them, and invents no other field", async () => {
    server = await goOriginal();
    const [req1, job2] = (await new ProclistClient(server.url).processes()).procs;
    expect(req1).to.deep.include({
      id: "req1",
      status: "reading",
      cancelling: true,
      attrs: { host: "10.0.0.7:5123", method: "GET", uri: "/hosts/1" },
    });
    expect(job2).to.deep.include({ id: "job2", status: "init", cancelling: false, attrs: {} });
    for (const proc of [req1, job2]) {
      expect(Object.keys(proc)).to.have.members(["id", "attrs", "procTime", "statusTime", "status", "cancelling"]);
      expect(Object.values(proc)).to.not.include(undefined);
    }
  });

  it("reads attributes sent as name/value pairs by later versions of the original", async () => {
    server = await goOriginal(LIST_PAIRS);
    const [proc] = (await new ProclistClient(server.url).processes()).procs;
    expect(proc.attrs).to.deep.equal({ host: "10.0.0.7", n: 3 });
  });

  it("applies filters itself, since the original ignores the query", async () => {
    server = await goOriginal();
    const client = new ProclistClient(server.url);
    expect((await client.processes({ status: "init" })).procs.map((p) => p.id)).to.deep.equal(["job2"]);
    expect((await client.processes({ attrs: { method: "GET" } })).procs.map((p) => p.id)).to.deep.equal(["req1"]);
    expect(server.seen.map((r) => r.url)).to.deep.equal(["/procs/?status=init", "/procs/?attr.method=GET"]);
  });

  it("reads a history, and a 404 followed by the original's stray JSON body as TaskNotFoundError", async () => {
    server = await goOriginal();
    const client = new ProclistClient(server.url);
    const history = await client.history("req1");
    expect(history.history.map((e) => e.status)).to.deep.equal(["init", "reading"]);
    expect(history.history[0].ts).to.be.closeTo(at("2026-11-24T09:00:00.123Z", 0.456789), 1e-3);
    expect(history.dropped).to.equal(0);
    const error = await rejectionOf(client.history("gone"));
    expect(error).to.be.instanceOf(TaskNotFoundError).and.have.property("id", "gone");
  });

  it("kills with the JSON body the Go client sends, and accepts the original's empty 200", async () => {
    server = await goOriginal();
    await new ProclistClient(server.url).kill("req1", "stuck");
    const [request] = server.seen;
    expect(request).to.include({ method: "DELETE", url: "/procs/req1" });
    expect(request.headers["content-type"]).to.equal("application/json");
    expect(JSON.parse(request.body)).to.deep.equal({ message: "stuck" });
  });

  it("maps the original's plain-text 404 and 403 on a kill to TaskNotFoundError and CancelForbiddenError", async () => {
    server = await goOriginal();
    const client = new ProclistClient(server.url);
    expect(await rejectionOf(client.kill("nope")))
      .to.be.instanceOf(TaskNotFoundError)
      .and.have.property("id", "nope");
    expect(await rejectionOf(client.kill("locked")))
      .to.be.instanceOf(CancelForbiddenError)
      .and.have.property("id", "locked");
  });

  it("says that stats, one task and events are proclist additions the original lacks", async () => {
    server = await goOriginal();
    const client = new ProclistClient(server.url);
    for (const attempt of [client.stats(), client.task("req1"), client.finished(), client.events().next()]) {
      const error = await rejectionOf(attempt);
      expect(error).to.be.instanceOf(HttpStatusError);
      expect((error as Error).message)
        .to.match(/original Go pm/)
        .and.match(new RegExp(`^GET ${server.url}/`));
    }
  });
});
