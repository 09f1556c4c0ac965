import { expect } from "chai";
import { CancelError, ProclistClient, type ProcessManager, type ServedApi } from "../../lib";
import { blocked, rejectionOf } from "../helpers";
import { apiPerSpec, call } from "./http-helpers";

describe("DELETE /procs/?<filter>", () => {
  let api: ServedApi & { manager: ProcessManager };
  let pm: ProcessManager;
  apiPerSpec((served) => {
    api = served;
    pm = served.manager;
  });

  it("kills exactly the matching tasks among 1,000 live ones and names them, with the message and who asked", async () => {
    const ended = new Map<string, Promise<unknown>>();
    for (let i = 0; i < 1000; i++) {
      const name = i % 2 === 0 ? "GET /report" : "GET /users/:id";
      ended.set(
        `r${i}`,
        blocked(pm, `r${i}`, {
          name,
          attrs: { tenant: i % 5 === 0 ? "acme" : "other" },
          statuses: [i % 3 === 0 ? "querying" : "rendering"],
        }),
      );
    }
    const expected = [...ended.keys()].filter((_, i) => i % 2 === 0 && i % 5 === 0 && i % 3 === 0);
    const answer = await call(api, "DELETE", "/procs/?name=GET%20%2Freport&status=querying&attr.tenant=acme", {
      body: '{"message":"report storm"}',
    });
    expect(answer.status).to.equal(200);
    expect(answer.json.cancelled).to.have.members(expected).and.have.length(expected.length);
    expect(answer.json).to.deep.include({ refused: [], message: "report storm" });
    const errors = await Promise.all(expected.map((id) => ended.get(id)!.catch((e: unknown) => e)));
    for (const error of errors) expect(error).to.be.instanceOf(CancelError).and.have.property("reason", "report storm");
    const killed = pm.finished().filter((t) => t.outcome === "killed");
    expect(killed.map((t) => t.id))
      .to.have.members(expected)
      .and.have.length(expected.length);
    expect(killed.every((t) => t.killedBy === "127.0.0.1")).to.equal(true);
    expect(pm.size).to.equal(1000 - expected.length);
    expect(pm.list().some((t) => t.cancelling)).to.equal(false);
  });

  it("kills what the same GET lists, comparing each attribute as the list shows it (undefined, NaN, a bigint, an object)", async () => {
    const values: Record<string, unknown> = { none: undefined, nan: NaN, big: 12n, obj: { a: [1, 2] } };
    for (const [id, value] of Object.entries(values)) blocked(pm, id, { name: "N", attrs: { v: value } });
    for (const id of Object.keys(values)) {
      const shown = (await call(api, "GET", `/procs/${id}`)).json.proc.attrs.v;
      const text = typeof shown === "string" ? shown : JSON.stringify(shown);
      const query = `?attr.v=${encodeURIComponent(text)}`;
      const listed = (await call(api, "GET", `/procs/${query}`)).json.procs.map((t: { id: string }) => t.id);
      expect(listed, `GET ${query}`).to.deep.equal([id]);
      const answer = await call(api, "DELETE", `/procs/${query}`);
      expect(answer.json.cancelled, `DELETE ${query}`).to.deep.equal(listed);
    }
  });

  it("answers 400 without any filter, and kills nothing", async () => {
    for (let i = 0; i < 10; i++) blocked(pm, `t${i}`);
    for (const path of ["/procs/", "/procs", "/procs/?"]) {
      const answer = await call(api, "DELETE", path, { body: '{"message":"all of them"}' });
      expect(answer.status, path).to.equal(400);
      expect(answer.json.error).to.match(
        /^DELETE \/procs\/ needs a filter \(name, status or attr\.<key>\).*to cancel one task, DELETE \/procs\/<id>$/,
      );
    }
    expect(pm.list().filter((t) => t.cancelling)).to.deep.equal([]);
  });

  it("answers 400 naming a parameter that is not a filter, and kills nothing", async () => {
    blocked(pm, "t", { name: "N" });
    const answer = await call(api, "DELETE", "/procs/?name=N&limit=1");
    expect(answer.status).to.equal(400);
    expect(answer.json.error).to.contain('"limit"');
    expect(pm.get("t")!.cancelling).to.equal(false);
  });

  it("lists forbidCancel tasks as refused, and answers an empty list when nothing matches", async () => {
    blocked(pm, "free", { name: "N" });
    blocked(pm, "locked", { name: "N", forbidCancel: true });
    const answer = await call(api, "DELETE", "/procs/?name=N");
    expect(answer.json).to.deep.include({ cancelled: ["free"], refused: ["locked"] });
    const none = await call(api, "DELETE", "/procs/?name=nothing");
    expect(none.status).to.equal(200);
    expect(none.json).to.deep.include({ cancelled: [], refused: [] });
  });

  it("is reached by the client's killWhere()", async () => {
    blocked(pm, "a", { name: "N", attrs: { user: "ana" } });
    blocked(pm, "b", { name: "N", attrs: { user: "bob" } });
    const client = new ProclistClient(api.url);
    const result = await client.killWhere({ name: "N", attrs: { user: "bob" } }, "bob's");
    expect(result).to.deep.equal({ cancelled: ["b"], refused: [] });
    expect(pm.get("b")!.cancelling).to.equal(true);
    expect(pm.get("a")!.cancelling).to.equal(false);
    expect(await rejectionOf(client.killWhere({})))
      .to.be.instanceOf(TypeError)
      .and.have.property("message")
      .that.matches(/needs a filter/);
  });
});
