import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";

const script = resolve(__dirname, "../../samples/service.js");

/** Runs the sample as `npm start` does and collects the lines it prints until the web page's. */
async function start(env: Record<string, string>): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, PROCLIST_TOKEN: "", PORT: "0", PROCLIST_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const until = Date.now() + 10_000;
  // The token line, when there is one, follows the web page's line in the same tick.
  while (!/web page:.*\n/.test(out) || (env.PROCLIST_TOKEN !== undefined && !/token:.*\n/.test(out))) {
    if (Date.now() > until || child.exitCode !== null) throw new Error(`the sample did not start: ${JSON.stringify(out)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, lines: out.trimEnd().split("\n") };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  await once(child, "exit");
}

/** Runs the sample to its exit, for the ways it refuses to start. */
async function failure(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, PROCLIST_TOKEN: "", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const [code] = await once(child, "exit");
  return { code, stderr };
}

describe("the sample's entry point (npm start)", () => {
  it("prints the service, the process list and the page at the ports it got, and they answer", async () => {
    const { child, lines } = await start({});
    try {
      expect(lines).to.have.length(3);
      const list = /^process list: (http:\/\/127\.0\.0\.1:\d+\/procs\/)$/.exec(lines[1])![1];
      const answer = await fetch(list);
      expect(answer.status).to.equal(200);
      expect(await answer.json()).to.have.property("procs");
    } finally {
      await stop(child);
    }
  });

  it("says when PROCLIST_TOKEN makes the API need a token, and how to send it", async () => {
    const { child, lines } = await start({ PROCLIST_TOKEN: "s3cret" });
    try {
      const list = /^process list: (\S+)$/.exec(lines[1])![1];
      expect(lines[3]).to.equal(`token:        required (PROCLIST_TOKEN): curl -H "Authorization: Bearer $PROCLIST_TOKEN" ${list}`);
      expect((await fetch(list)).status).to.equal(401);
      expect((await fetch(list, { headers: { authorization: "Bearer s3cret" } })).status).to.equal(200);
    } finally {
      await stop(child);
    }
  });

  it("refuses a bad PORT or PROCLIST_PORT in one line, exit 1", async () => {
    expect(await failure({ PORT: "0", PROCLIST_PORT: "abc" })).to.deep.equal({
      code: 1,
      stderr: 'invalid PROCLIST_PORT "abc": must be a port number\n',
    });
  });

  it("says which variables choose other ports when its port is taken", async () => {
    const { child, lines } = await start({});
    try {
      const taken = /:(\d+)\/procs\/$/.exec(lines[1])![1];
      const { code, stderr } = await failure({ PORT: "0", PROCLIST_PORT: taken });
      expect(code).to.equal(1);
      expect(stderr)
        .to.contain("EADDRINUSE")
        .and.contain(`127.0.0.1:${taken}`)
        .and.match(/PORT and PROCLIST_PORT choose other ports/);
      expect(stderr.trimEnd().split("\n")).to.have.length(1);
    } finally {
      await stop(child);
    }
  });
});
