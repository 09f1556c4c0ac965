import { expect } from "chai";
import type { WireTaskEvent, WireProc } from "../../lib/wire/shapes";
import { Change, Store } from "../../lib/web/browser/store";

const T0 = "2026-11-24T09:00:00.000000Z";
const at = (ms: number) => new Date(Date.UTC(2026, 10, 24, 9) + ms).toISOString().replace("Z", "000Z");

function proc(id: string, over: Partial<WireProc> = {}): WireProc {
  return { id, procTime: T0, statusTime: T0, status: "init", name: "Job.run", attrs: { uri: "/work" }, ...over };
}

describe("web: Store", () => {
  it("loads a snapshot and measures the server's clock", () => {
    const store = new Store();
    expect(store.loaded).to.equal(false);
    store.loadLive([proc("a")], at(5000), Date.UTC(2026, 10, 24, 9) + 1000);
    expect(store.live.get("a")).to.include({ id: "a", name: "Job.run", status: "init", attrText: "uri=/work" });
    expect(store.clockOffset).to.equal(4000);
    expect(store.loaded).to.equal(true);
  });

  it("applies start, status, attr and done, reporting what changed", () => {
    const store = new Store();
    store.loadLive([], at(0));
    expect(store.apply({ type: "start", ts: at(10), proc: proc("b", { procTime: at(10), statusTime: at(10) }) })).to.equal(
      Change.Membership,
    );
    expect(store.apply({ type: "status", ts: at(20), id: "b", status: "reading" })).to.equal(Change.Row);
    expect(store.apply({ type: "attr", ts: at(30), id: "b", key: "user", value: 7, deleted: false })).to.equal(Change.Row);
    expect(store.live.get("b")).to.include({ status: "reading", attrText: "uri=/work user=7" });
    expect(store.live.get("b")!.search).to.include("reading");
    const done = store.apply({ type: "done", ts: at(40), id: "b", outcome: "ended", status: "ended", durationMs: 30 });
    expect(done).to.equal(Change.Membership | Change.Finished);
    expect(store.live.has("b")).to.equal(false);
    expect(store.finished[0]).to.include({ id: "b", name: "Job.run", outcome: "ended", durationMs: 30 });
  });

  it("takes a second start of a task it knows (same id and start time) as its new name, and one with the same name as nothing new", () => {
    const store = new Store();
    store.loadLive([], at(0));
    const started = proc("r", { procTime: at(10), statusTime: at(10), name: "GET" });
    expect(store.apply({ type: "start", ts: at(10), proc: started })).to.equal(Change.Membership);
    expect(store.apply({ type: "start", ts: at(10), proc: started })).to.equal(Change.None);
    expect(store.apply({ type: "start", ts: at(10), proc: { ...started, name: "GET /orders/:id" } })).to.equal(Change.Membership);
    expect(store.live.get("r")).to.include({ name: "GET /orders/:id", status: "init" });
    expect(store.live.get("r")!.search).to.include("get /orders/:id");
  });

  it("records a kill as the status the server shows, and who asked, for the finished entry", () => {
    const store = new Store();
    store.loadLive([proc("c")], at(0));
    store.apply({ type: "kill", ts: at(50), id: "c", message: "stuck", by: "127.0.0.1" });
    expect(store.live.get("c")).to.include({ cancelling: true, status: "[cancel request: stuck]" });
    store.apply({ type: "done", ts: at(60), id: "c", outcome: "killed", status: "killed: stuck", durationMs: 60 });
    expect(store.finished[0]).to.include({ outcome: "killed", status: "killed: stuck", killedBy: "127.0.0.1" });
  });

  it("keeps the error of an aborted task's done event for the finished entry", () => {
    const store = new Store();
    store.loadLive([proc("x")], at(0));
    store.apply({ type: "done", ts: at(30), id: "x", outcome: "aborted", status: "aborted", durationMs: 30, error: "db down" });
    expect(store.finished[0]).to.include({ id: "x", outcome: "aborted", error: "db down" });
  });

  it("ignores events that raced the snapshot and are already in it", () => {
    const store = new Store();
    store.loadLive([proc("d", { statusTime: at(100), status: "writing", attrs: { n: 2 } })], at(100));
    const replay: WireTaskEvent[] = [
      { type: "start", ts: T0, proc: proc("d") },
      { type: "status", ts: at(50), id: "d", status: "reading" },
      { type: "attr", ts: at(60), id: "d", key: "n", value: 1, deleted: false },
    ];
    expect(replay.map((e) => store.apply(e))).to.deep.equal([Change.None, Change.None, Change.None]);
    expect(store.live.get("d")).to.include({ status: "writing", attrText: "n=2" });
  });

  it("adds a finished task once, whether it came from the snapshot or the stream", () => {
    const store = new Store();
    store.loadFinished([{ ...proc("e"), outcome: "ended", endTime: at(70), durationMs: 70 }]);
    store.apply({ type: "done", ts: at(70), id: "e", outcome: "ended", status: "ended", durationMs: 70 });
    expect(store.finished.map((f) => f.id)).to.deep.equal(["e"]);
  });

  it("keeps at most keepFinished finished tasks, newest first", () => {
    const store = new Store(3);
    store.loadLive([], at(0));
    for (let i = 1; i <= 5; i++) store.apply({ type: "done", ts: at(i), id: `t${i}`, outcome: "ended", status: "ended", durationMs: 1 });
    expect(store.finished.map((f) => f.id)).to.deep.equal(["t5", "t4", "t3"]);
  });

  it("treats a start with a reused id as a new task", () => {
    const store = new Store();
    store.loadLive([proc("f")], at(0));
    expect(store.apply({ type: "start", ts: at(5), proc: proc("f", { procTime: at(5), statusTime: at(5), name: "Other" }) })).to.equal(
      Change.Membership,
    );
    expect(store.live.get("f")!.name).to.equal("Other");
  });
});
