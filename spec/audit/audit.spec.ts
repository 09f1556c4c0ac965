import { expect } from "chai";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { auditFile, type AuditEntry, type ProcessManager, type ServedApi } from "../../lib";
import { blocked, releaseAll, waitFor } from "../helpers";
import { call, startApi } from "../http/http-helpers";

const TOKENS = {
  ops: "ops-token",
  reader: { token: "reader-token", can: ["read"] },
  auditor: { token: "auditor-token", can: ["audit"] },
  reports: { token: "reports-token", can: ["cancel:Reports.*"] },
};
const as = (token: string) => ({ authorization: `Bearer ${token}` });

describe("audit", () => {
  let api: ServedApi & { manager: ProcessManager };
  let pm: ProcessManager;
  let sunk: AuditEntry[];
  beforeEach(async () => {
    sunk = [];
    api = await startApi({ token: TOKENS, audit: (entry) => void sunk.push(entry) });
    pm = api.manager;
  });
  afterEach(async () => {
    releaseAll();
    await api.close();
  });
  const audit = async (query = "") =>
    (await call(api, "GET", `/audit${query}`, { headers: as("auditor-token") })).json.entries as AuditEntry[];

  it("records a kill, a kill by filter and refused attempts, each once, newest first, and hands each to the sink", async () => {
    void blocked(pm, "r1", { name: "Reports.daily", attrs: { tenant: "acme" } });
    void blocked(pm, "r2", { name: "Reports.weekly", attrs: { tenant: "acme" } });
    void blocked(pm, "b1", { name: "Billing.charge", attrs: { tenant: "acme" } });
    expect(
      (await call(api, "DELETE", "/procs/r1", { headers: as("ops-token"), body: JSON.stringify({ message: "nightly export stuck" }) }))
        .status,
    ).to.equal(200);
    expect((await call(api, "DELETE", "/procs/b1", { headers: as("reader-token") })).status).to.equal(403);
    expect((await call(api, "DELETE", "/procs/b1", { headers: as("wrong-token") })).status).to.equal(401);
    expect((await call(api, "DELETE", "/procs/?attr.tenant=acme", { headers: as("reports-token") })).status).to.equal(200);
    expect((await call(api, "DELETE", "/procs/nope", { headers: as("ops-token") })).status).to.equal(404);

    const entries = await audit();
    expect(entries.map((e) => `${e.action} ${e.outcome} ${e.status} ${e.token ?? "-"}`)).to.deep.equal([
      "kill failed 404 ops",
      "kill-where cancelled 200 reports",
      "kill refused 401 -",
      "kill refused 403 reader",
      "kill cancelled 200 ops",
    ]);
    const [notFound, byFilter, badToken, noRight, kill] = entries;
    expect(kill).to.deep.include({
      id: "r1",
      name: "Reports.daily",
      message: "nightly export stuck",
      by: "ops@127.0.0.1",
      peer: "127.0.0.1",
    });
    expect(pm.get("r1")!.killedBy).to.equal(kill.by);
    expect(noRight).to.deep.include({ id: "b1", name: "Billing.charge", by: "reader@127.0.0.1" });
    expect(noRight.error).to.contain('lacks the right "cancel"');
    expect(badToken).to.deep.include({ id: "b1", by: "127.0.0.1" });
    expect(badToken.error).to.contain("unknown bearer token");
    expect(byFilter).to.deep.include({ filter: { "attr.tenant": "acme" }, cancelled: ["r2"], refused: ["b1"] });
    expect(notFound).to.deep.include({ id: "nope" });
    await waitFor("the sink to get every entry", () => sunk.length === 5);
    expect([...sunk].reverse()).to.deep.equal(entries);
  });

  it("bounds what a request puts in an entry: a refused kill by filter sent without a token stays under 2 KiB however long its query", async () => {
    const long = "v".repeat(3000);
    const query = `name=${long}&${Array.from({ length: 300 }, (_, i) => `attr.k${i}=x`).join("&")}&__proto__=p`;
    expect((await call(api, "DELETE", `/procs/?${query}`)).status).to.equal(401);
    expect(
      (await call(api, "DELETE", `/procs/?status=a&status=b&attr.${"k".repeat(2000)}=1`, { headers: as("ops-token") })).status,
    ).to.equal(200);
    await waitFor("the sink to get both entries", () => sunk.length === 2);
    const [refused, killed] = sunk;
    expect(JSON.stringify(refused).length).to.be.below(2048);
    const filter = refused.filter as Record<string, string>;
    expect(filter.name)
      .to.have.length(1024 - "name".length)
      .and.match(/^v+…$/);
    expect(filter["…"]).to.equal("301 more");
    expect(killed.filter).to.deep.include({ status: ["a", "b"] });
    expect(JSON.stringify(killed).length).to.be.below(2048);
    const listed = await audit();
    expect(listed[1].filter).to.deep.equal({ name: filter.name, "…": "301 more" });
  });

  it("GET /audit needs the audit right, and takes ?since= and ?limit=", async () => {
    expect((await call(api, "GET", "/audit", { headers: as("reader-token") })).status).to.equal(403);
    for (const id of ["a", "b", "c"]) {
      pm.start(id);
      await call(api, "DELETE", `/procs/${id}`, { headers: as("ops-token") });
    }
    const all = await audit();
    expect(all.map((e) => e.id)).to.deep.equal(["c", "b", "a"]);
    expect((await audit("?limit=2")).map((e) => e.id)).to.deep.equal(["c", "b"]);
    expect((await audit(`?since=${encodeURIComponent(all[1].ts)}`)).map((e) => e.id)).to.deep.equal(["c", "b"]);
    expect((await audit(`?since=${Date.parse(all[0].ts) + 1}`)).map((e) => e.id)).to.deep.equal([]);
    const bad = await call(api, "GET", "/audit?since=yesterday", { headers: as("auditor-token") });
    expect(bad.status).to.equal(400);
    expect((await call(api, "GET", "/audit?limit=0", { headers: as("auditor-token") })).status).to.equal(400);
  });

  it("a sink that throws or rejects never fails or delays the kill", async () => {
    await api.close();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on("warning", onWarning);
    try {
      let calls = 0;
      api = await startApi({
        audit: () =>
          ++calls % 2 === 0
            ? Promise.reject(new Error("disk full"))
            : (() => {
                throw new Error("sink down");
              })(),
      });
      pm = api.manager;
      for (const id of ["x", "y"]) {
        pm.start(id);
        expect((await call(api, "DELETE", `/procs/${id}`)).status).to.equal(200);
        expect(pm.get(id)!.cancelling).to.equal(true);
      }
      await waitFor("the sink to have been called twice", () => calls === 2);
      expect((await call(api, "GET", "/audit")).json.entries).to.have.length(2);
      await waitFor("one warning", () => warnings.some((w) => w.includes("an audit sink failed")));
    } finally {
      process.off("warning", onWarning);
    }
  });

  describe("auditFile", () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), "proclist-audit-"));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("writes one JSON line per entry and rotates by size, keeping `keep` old files", async () => {
      const path = join(dir, "audit.jsonl");
      const sink = auditFile(path, { maxBytes: 2048, keep: 2 });
      const entry = (i: number): AuditEntry => ({
        ts: new Date(1_800_000_000_000 + i).toISOString(),
        action: "kill",
        by: "ops@127.0.0.1",
        id: `task-${i}`,
        message: "x".repeat(200),
        outcome: "cancelled",
        status: 200,
      });
      for (let i = 0; i < 40; i++) await sink(entry(i));
      const files = (await readdir(dir)).sort();
      expect(files).to.deep.equal(["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"]);
      const lines: AuditEntry[] = [];
      for (const file of ["audit.jsonl.2", "audit.jsonl.1", "audit.jsonl"]) {
        const text = await readFile(join(dir, file), "utf8");
        expect(Buffer.byteLength(text)).to.be.at.most(2048);
        lines.push(
          ...text
            .trimEnd()
            .split("\n")
            .map((line) => JSON.parse(line) as AuditEntry),
        );
      }
      // The newest entries, in order, none twice; the oldest went with the file rotated out.
      const ids = lines.map((l) => Number(l.id!.slice(5)));
      expect(ids[ids.length - 1]).to.equal(39);
      ids.forEach((n, i) => expect(n).to.equal(ids[0] + i));
    });

    it("writes a backlog with work linear in its length, and counts in droppedBefore every line it dropped while the disk failed", async () => {
      // A path under a regular file: every write fails (ENOTDIR), as on a full or missing disk, even as root.
      const folder = join(dir, "not-yet-a-folder");
      await writeFile(folder, "a file");
      const sink = auditFile(join(folder, "audit.jsonl"));
      const entry = (i: number): AuditEntry => ({
        ts: new Date(1_800_000_000_000 + i).toISOString(),
        action: "kill",
        by: "ops@127.0.0.1",
        id: `task-${i}`,
        message: "m".repeat(100),
        outcome: "cancelled",
        status: 200,
      });
      const measure = Buffer.byteLength;
      let measured = 0;
      Buffer.byteLength = ((text: string, encoding?: BufferEncoding) => {
        if (typeof text === "string") measured += text.length;
        return measure(text, encoding);
      }) as typeof Buffer.byteLength;
      try {
        let failed: unknown;
        for (let i = 0; i < 12_000; i++) void sink(entry(i))?.catch((error: unknown) => (failed = error));
        await waitFor("the write to fail", () => failed !== undefined);
        await rm(folder);
        await mkdir(folder);
        await sink(entry(12_000));
      } finally {
        Buffer.byteLength = measure;
      }
      const text = await readFile(join(folder, "audit.jsonl"), "utf8");
      const lines = text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as AuditEntry & { droppedBefore?: number });
      // 10,000 wait at most: the newest are written, the rest counted, none lost without a count.
      expect(lines.length).to.equal(10_000);
      expect(lines[lines.length - 1].id).to.equal("task-12000");
      expect(lines.length + lines.reduce((sum, line) => sum + (line.droppedBefore ?? 0), 0)).to.equal(12_001);
      // Each line measured once per write tried (two here), not again for every line joining it.
      expect(measured).to.be.at.most(3 * text.length);
    });

    it("gives every sink of one file in a process one writer, so rotations never rename over each other and no line is lost", async () => {
      const path = join(dir, "shared.jsonl");
      const a = auditFile(path, { maxBytes: 4096, keep: 100 });
      const b = auditFile(join(dir, ".", "shared.jsonl"), { maxBytes: 4096, keep: 100 });
      const entry = (who: string, i: number): AuditEntry => ({
        ts: new Date(1_800_000_000_000 + i).toISOString(),
        action: "kill",
        by: who,
        id: `${who}-${i}`,
        message: "m".repeat(100),
        outcome: "cancelled",
        status: 200,
      });
      const writes: unknown[] = [];
      for (let i = 0; i < 300; i++) writes.push(a(entry("a", i)), b(entry("b", i)));
      await Promise.all(writes);
      const ids: string[] = [];
      for (const file of await readdir(dir)) {
        const text = await readFile(join(dir, file), "utf8");
        expect(Buffer.byteLength(text), file).to.be.at.most(4096);
        ids.push(
          ...text
            .trimEnd()
            .split("\n")
            .map((line) => (JSON.parse(line) as AuditEntry).id!),
        );
      }
      expect(ids).to.have.length(600);
      expect(new Set(ids).size).to.equal(600);
      expect(() => auditFile(path, { maxBytes: 8192, keep: 100 })).to.throw(TypeError, /writes it already with maxBytes 4096/);
    });

    it("refuses bad options with a TypeError naming them", () => {
      expect(() => auditFile("")).to.throw(TypeError, /path/);
      expect(() => auditFile(join(dir, "a"), { maxBytes: 10 })).to.throw(TypeError, /"maxBytes"/);
      expect(() => auditFile(join(dir, "a"), { keep: 0 })).to.throw(TypeError, /"keep"/);
    });
  });
});
