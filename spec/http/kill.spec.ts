import { expect } from "chai";
import { gzipSync } from "node:zlib";
import type { ProcessManager, ServedApi } from "../../lib";
import { blocked, rejectionOf, statuses } from "../helpers";
import { apiPerSpec, call, startApi } from "./http-helpers";

describe("DELETE /procs/:id", () => {
  let api: ServedApi & { manager: ProcessManager };
  let pm: ProcessManager;
  apiPerSpec((served) => {
    api = served;
    pm = served.manager;
  });

  it("kills with the message of a JSON body, answers 200 JSON and records who asked", async () => {
    const task = blocked(pm, "t");
    const answer = await call(api, "DELETE", "/procs/t", {
      headers: { "content-type": "application/json" },
      body: '{"message":"too slow"}',
    });
    expect(answer.status).to.equal(200);
    expect(answer.json).to.include({ id: "t", cancelling: true, message: "too slow" });
    await rejectionOf(task);
    expect(statuses(pm, "t")).to.deep.equal(["init", "[cancel request: too slow]", "killed: too slow"]);
    expect(pm.finished()[0].killedBy).to.equal("127.0.0.1");
  });

  it("kills with no message when there is no body (curl -X DELETE), or an empty message (the Go client)", async () => {
    const a = blocked(pm, "a");
    const b = blocked(pm, "b");
    const none = await call(api, "DELETE", "/procs/a");
    expect(none.status).to.equal(200);
    expect(none.json).to.not.have.property("message");
    expect((await call(api, "DELETE", "/procs/b", { body: '{"message":""}\n' })).status).to.equal(200);
    await Promise.all([rejectionOf(a), rejectionOf(b)]);
    expect(statuses(pm, "a")).to.deep.equal(["init", "[cancel request]", "killed"]);
    expect(statuses(pm, "b")).to.deep.equal(["init", "[cancel request]", "killed"]);
  });

  it("reads a JSON body whatever its Content-Type (curl -d sends a form type)", async () => {
    const t = blocked(pm, "t");
    const answer = await call(api, "DELETE", "/procs/t", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: '{"message":"m"}',
    });
    expect(answer.status).to.equal(200);
    await rejectionOf(t);
    expect(statuses(pm, "t").at(-1)).to.equal("killed: m");
  });

  it("answers a second kill with 200 and the message in force, changing nothing", async () => {
    pm.start("t");
    pm.kill("t", "first");
    const answer = await call(api, "DELETE", "/procs/t", { body: '{"message":"second"}' });
    expect(answer.status).to.equal(200);
    expect(answer.json.message).to.equal("first");
    pm.done("t", pm.get("t")!.cancel);
    expect(statuses(pm, "t")).to.deep.equal(["init", "[cancel request: first]", "killed: first"]);
  });

  it("answers 404 for an unknown id and for a task that already ended", async () => {
    const unknown = await call(api, "DELETE", "/procs/nope");
    expect(unknown.status).to.equal(404);
    expect(unknown.json.error).to.equal('no such task: "nope"');
    pm.start("gone");
    pm.done("gone");
    const gone = await call(api, "DELETE", "/procs/gone");
    expect(gone.status).to.equal(404);
    expect(gone.json.error).to.contain("already ended");
  });

  it("answers 403 for a forbidCancel task, which keeps running", async () => {
    pm.start("f", { forbidCancel: true });
    const answer = await call(api, "DELETE", "/procs/f");
    expect(answer.status).to.equal(403);
    expect(answer.json.error).to.contain("forbidCancel");
    expect(pm.get("f")!.cancelling).to.equal(false);
  });

  describe("bad bodies are refused and kill nothing", () => {
    for (const [what, body, error] of [
      ["malformed JSON", '{"message": ', /malformed JSON body/],
      ["a JSON array", '["x"]', /JSON object/],
      ["a JSON string", '"x"', /JSON object/],
      ["null", "null", /JSON object/],
      ["a non-string message", '{"message": 3}', /message/],
      ["an unknown field", '{"msg": "x"}', /unknown body field "msg"/],
      ["a message too long", JSON.stringify({ message: "x".repeat(1025) }), /message/],
    ] as const) {
      it(`answers 400 for ${what}`, async () => {
        pm.start("t");
        const answer = await call(api, "DELETE", "/procs/t", { body });
        expect(answer.status).to.equal(400);
        expect(answer.json.error).to.match(error);
        expect(pm.get("t")!.cancelling).to.equal(false);
      });
    }

    it("answers 400 for a body that is not UTF-8", async () => {
      pm.start("t");
      const answer = await call(api, "DELETE", "/procs/t", { body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) });
      expect(answer.status).to.equal(400);
      expect(answer.json.error).to.contain("UTF-8");
      expect(pm.get("t")!.cancelling).to.equal(false);
    });

    it("answers 415 for a compressed body instead of parsing it as JSON", async () => {
      pm.start("t");
      const answer = await call(api, "DELETE", "/procs/t", {
        headers: { "content-encoding": "gzip" },
        body: gzipSync('{"message":"zipped"}'),
      });
      expect(answer.status).to.equal(415);
      expect(answer.json.error).to.contain('"gzip" is not accepted');
      expect(pm.get("t")!.cancelling).to.equal(false);
      const plain = await call(api, "DELETE", "/procs/t", { headers: { "content-encoding": "identity" }, body: '{"message":"plain"}' });
      expect(plain.status).to.equal(200);
    });

    it("answers 413 for a body over 16 KiB, declared or chunked", async () => {
      pm.start("t");
      const big = JSON.stringify({ message: "x".repeat(17 * 1024) });
      const declared = await call(api, "DELETE", "/procs/t", { body: big });
      expect(declared.status).to.equal(413);
      expect(declared.json.error).to.contain("16384");
      const chunked = await call(api, "DELETE", "/procs/t", { headers: { "transfer-encoding": "chunked" }, body: big });
      expect(chunked.status).to.equal(413);
      expect(pm.get("t")!.cancelling).to.equal(false);
      const limit = JSON.stringify({ message: "x".repeat(1000) }).padEnd(16 * 1024, " ");
      expect((await call(api, "DELETE", "/procs/t", { body: limit })).status).to.equal(200);
    });
  });

  describe("path ids", () => {
    it("decodes any percent-encoding, slashes and unicode included", async () => {
      for (const id of ["a/b", "x y", "ü?#&", "%41", "...", "é".repeat(100)]) {
        pm.start(id);
        const answer = await call(api, "DELETE", "/procs/" + encodeURIComponent(id));
        expect(answer.status, id).to.equal(200);
        expect(answer.json.id).to.equal(id);
        expect(pm.get(id)!.cancelling).to.equal(true);
      }
      pm.start("AB");
      expect((await call(api, "GET", "/procs/%41%42")).json.proc.id).to.equal("AB");
    });

    it("answers 400 for a malformed percent-encoding or an id too long, and kills nothing", async () => {
      pm.start("%zz");
      const malformed = await call(api, "DELETE", "/procs/%zz");
      expect(malformed.status).to.equal(400);
      expect(malformed.json.error).to.contain("malformed percent-encoding");
      expect((await call(api, "GET", "/procs/%E0%A4%A/history")).status).to.equal(400);
      const long = await call(api, "GET", "/procs/" + "x".repeat(257));
      expect(long.status).to.equal(400);
      expect(long.json.error).to.match(/^task id too long: 257 characters, at most 256 \("x{80}…"\)$/);
      expect(pm.get("%zz")!.cancelling).to.equal(false);
    });

    it("answers 400 saying the id is empty for /procs//history and DELETE /procs//, as an unset shell variable gives", async () => {
      pm.start("t");
      for (const [method, path] of [
        ["GET", "/procs//history"],
        ["DELETE", "/procs//"],
        ["GET", "/procs//"],
      ]) {
        const answer = await call(api, method, path);
        expect(answer.status, `${method} ${path}`).to.equal(400);
        expect(answer.json.error).to.equal("empty task id: the path needs one, as in /procs/<id> or /procs/<id>/history");
      }
      expect(pm.get("t")!.cancelling).to.equal(false);
    });
  });

  describe("protected mode", () => {
    it("refuses a DELETE from a non-loopback peer with no token configured: 403 saying how to allow it", async () => {
      await api.close();
      api = await startApi({ peer: () => "10.1.2.3" });
      pm = api.manager;
      pm.start("t");
      const answer = await call(api, "DELETE", "/procs/t");
      expect(answer.status).to.equal(403);
      expect(answer.json.error)
        .to.contain("protected mode")
        .and.contain("10.1.2.3")
        .and.contain("token")
        .and.contain("protectedMode: false");
      expect(pm.get("t")!.cancelling).to.equal(false);
      // Reading too (issue 13, item 14): see spec/reliability/protected-mode.spec.ts.
      expect((await call(api, "GET", "/procs/")).status).to.equal(403);
    });

    it("refuses a peer whose address is unknown", async () => {
      await api.close();
      api = await startApi({ peer: () => undefined });
      api.manager.start("t");
      expect((await call(api, "DELETE", "/procs/t")).status).to.equal(403);
    });

    it("takes a peer function that throws as an unknown peer, and keeps serving", async () => {
      await api.close();
      api = await startApi({
        peer: () => {
          throw new Error("no header");
        },
      });
      api.manager.start("t");
      expect((await call(api, "DELETE", "/procs/t")).status).to.equal(403);
      expect((await call(api, "GET", "/procs/", { headers: { host: "evil.example" } })).status).to.equal(403);
      expect((await call(api, "GET", "/procs/", { headers: { host: "evil.example" } })).json.error).to.contain("an unknown address");
    });

    it("allows loopback peers, IPv6 and IPv4-mapped included", async () => {
      for (const address of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) {
        await api.close();
        api = await startApi({ peer: () => address });
        api.manager.start("t");
        expect((await call(api, "DELETE", "/procs/t")).status, address).to.equal(200);
      }
    });

    it("allows remote kills once a token is set, recording the label and the peer", async () => {
      await api.close();
      api = await startApi({ peer: () => "10.1.2.3", token: { alice: "alice-secret-1" } });
      const t = blocked(api.manager, "t");
      const answer = await call(api, "DELETE", "/procs/t", { headers: { authorization: "Bearer alice-secret-1" } });
      expect(answer.status).to.equal(200);
      await rejectionOf(t);
      expect(api.manager.finished()[0].killedBy).to.equal("alice@10.1.2.3");
    });

    it("can be turned off with protectedMode: false", async () => {
      await api.close();
      api = await startApi({ peer: () => "10.1.2.3", protectedMode: false });
      api.manager.start("t");
      expect((await call(api, "DELETE", "/procs/t")).status).to.equal(200);
      expect(api.manager.get("t")!.killedBy).to.equal("10.1.2.3");
    });
  });
});
