import { expect } from "chai";
import type { ProcessManager, ServedApi } from "../../lib";
import { validateWire } from "../../lib/wire/schemas";
import { EventStream } from "./event-stream";
import { call, startApi } from "./http-helpers";

const trap = (): never => {
  throw new Error("trap");
};

/** Attribute values whose serialization throws or misbehaves in every way found so far. */
function hostileAttrs(): Record<string, unknown> {
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  class Nameless {
    static get name(): string {
      throw new Error("no name");
    }
  }
  class NamelessNoJson {
    static get name(): string {
      throw new Error("no name");
    }
    toJSON(): never {
      throw new Error("no json");
    }
  }
  class Longname {
    static get name(): string {
      return "N".repeat(100_000);
    }
    toJSON(): never {
      throw new Error("no json");
    }
  }
  let deep: Record<string, unknown> = {};
  for (let i = 0; i < 100_000; i++) deep = { deep };
  return {
    revoked: revocable.proxy,
    everyTrap: new Proxy({}, { getPrototypeOf: trap, ownKeys: trap, get: trap, has: trap, getOwnPropertyDescriptor: trap }),
    prototypeTrap: Object.create(new Proxy({}, { get: trap, getPrototypeOf: trap })),
    nameless: Nameless,
    namelessInstance: new NamelessNoJson(),
    longName: new Longname(),
    longFunctionName: Object.defineProperty(() => undefined, "name", { value: "f".repeat(100_000) }),
    deep,
    plain: "still here",
  };
}

describe("hostile attribute values", () => {
  let api: ServedApi & { manager: ProcessManager };
  let streams: EventStream[];
  beforeEach(async () => {
    api = await startApi();
    streams = [];
  });
  afterEach(async () => {
    for (const s of streams) s.close();
    await api.close();
  });

  /** Every value shows as a bounded string (or its JSON), and the plain one is intact. */
  function expectShown(attrs: Record<string, unknown>): void {
    expect(Object.keys(attrs)).to.have.members(Object.keys(hostileAttrs()));
    for (const [key, value] of Object.entries(attrs)) {
      // A value cut past the bound is shown as a string of at most maxAttrLength characters and
      // the ellipsis; its JSON escapes can be longer (Node 26 serializes 100,000 levels of
      // nesting where older V8 overflowed its stack, so `deep` arrives here cut, full of quotes).
      const shown = typeof value === "string" ? value : JSON.stringify(value);
      expect(shown.length, key).to.be.at.most(api.manager.maxAttrLength + 10);
    }
    expect(attrs.plain).to.equal("still here");
    expect(attrs.revoked).to.equal("[object]");
    expect(attrs.nameless).to.equal("[function]");
  }

  it("never fails GET /procs/, /procs/<id>, its history, or the filtered lists", async () => {
    api.manager.start("hostile", { attrs: hostileAttrs() });
    const list = await call(api, "GET", "/procs/");
    expect(list.status, list.text).to.equal(200);
    expect(validateWire.procList(list.json)).to.equal(true);
    expectShown(list.json.procs[0].attrs);
    const one = await call(api, "GET", "/procs/hostile");
    expect(one.status, one.text).to.equal(200);
    expectShown(one.json.proc.attrs);
    expect((await call(api, "GET", "/procs/hostile/history")).status).to.equal(200);
    for (const query of ["?attr.revoked=x", "?attr.everyTrap=%5Bobject%5D", "?sort=-statusTime", "?name=hostile&limit=1"]) {
      const filtered = await call(api, "GET", "/procs/" + query);
      expect(filtered.status, query + " " + filtered.text).to.equal(200);
    }
    expect((await call(api, "GET", "/procs/?attr.revoked=%5Bobject%5D")).json.procs.map((p: { id: string }) => p.id)).to.deep.equal([
      "hostile",
    ]);
  });

  it("never serves a stale list: each answer shows the tasks as they are", async () => {
    api.manager.start("before");
    expect((await call(api, "GET", "/procs/")).json.procs).to.have.length(1);
    api.manager.start("hostile", { attrs: hostileAttrs() });
    for (let round = 0; round < 2; round++) {
      const list = await call(api, "GET", "/procs/");
      expect(list.status, list.text).to.equal(200);
      expect(list.json.procs.map((p: { id: string }) => p.id)).to.deep.equal(["before", "hostile"]);
    }
    api.manager.start("after");
    expect((await call(api, "GET", "/procs/")).json.procs.map((p: { id: string }) => p.id)).to.deep.equal(["before", "hostile", "after"]);
  });

  it("never fails the finished list or a finished task", async () => {
    api.manager.start("hostile", { attrs: hostileAttrs() });
    api.manager.done("hostile");
    const finished = await call(api, "GET", "/procs/finished");
    expect(finished.status, finished.text).to.equal(200);
    expectShown(finished.json.finished[0].attrs);
    const one = await call(api, "GET", "/procs/hostile");
    expect(one.status, one.text).to.equal(200);
    expect(one.json.running).to.equal(false);
    expect((await call(api, "GET", "/procs/finished?attr.revoked=%5Bobject%5D&sort=id")).json.finished).to.have.length(1);
  });

  it("delivers the start and attr events of such a task to every client", async () => {
    streams.push(await EventStream.open(api), await EventStream.open(api));
    const handle = api.manager.start("hostile", { attrs: hostileAttrs() });
    handle.setAttribute("later", hostileAttrs().revoked);
    api.manager.start("next");
    for (const stream of streams) {
      await stream.waitFor((s) => s.messages.some((m) => m.event === "start" && m.data.proc.id === "next"));
      const types = stream.messages.map((m) => `${m.event} ${m.data.proc?.id ?? m.data.id}`);
      expect(types).to.deep.equal(["start hostile", "attr hostile", "start next"]);
      const start = stream.messages[0].data;
      expect(validateWire.event(start)).to.equal(true);
      expectShown(start.proc.attrs);
      expect(stream.messages[1].data.value).to.equal("[object]");
    }
  });
});
