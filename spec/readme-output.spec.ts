import { expect } from "chai";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TmuxSession } from "./cli/tmux";
import { tick, waitFor } from "./helpers";
import { type Block, readmeBlocks } from "./readme-blocks";

/**
 * The output the README shows under the `$ ` lines of its ```sh run and ```console run blocks,
 * checked against what those commands print (stdout and stderr) when run as the block shows them,
 * against services started for the block (see `servicesFor`). Every output line must be a line
 * some command printed: the command just run, or one still running in the background (`&`). Only
 * what changes from run to run is left open: a run of letters, digits and dots holding a digit
 * (ids, times, ports, durations, counts, event ids) matches any other, a gap of two spaces or more
 * (between a table's columns) matches any such gap, `…` matches anything, and a trailing
 * `  # comment` is the README's, not the output's.
 */
function outputPattern(line: string): RegExp {
  const text = line.replace(/\s{2,}#.*$/, "").trimEnd();
  const escape = (piece: string) => piece.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const open = (chunk: string) =>
    chunk
      .split(/([0-9a-zµ.]*[0-9][0-9a-zµ.]*)/i)
      .map((piece, i) => (i % 2 === 1 ? "[0-9a-zµ.]+" : escape(piece)))
      .join("");
  const parts = text.split("…").map((part) =>
    part
      .split(/( {2,})/)
      .map((chunk, i) => (i % 2 === 1 ? " {2,}" : open(chunk)))
      .join(""),
  );
  return new RegExp(`^${parts.join(".*")}$`, "i");
}

/**
 * The shown lines that cannot each be given a printed line of their own (a bipartite matching,
 * so that three rows shown need three rows printed even where one printed row fits all three patterns).
 */
function unmatched(shown: string[], printed: string[]): string[] {
  const candidates = shown.map((line) => {
    const pattern = outputPattern(line);
    return printed.flatMap((l, j) => (pattern.test(l.trimEnd()) ? [j] : []));
  });
  const owner = new Map<number, number>();
  const assign = (i: number, seen: Set<number>): boolean => {
    for (const j of candidates[i]) {
      if (seen.has(j)) continue;
      seen.add(j);
      const other = owner.get(j);
      if (other === undefined || assign(other, seen)) {
        owner.set(j, i);
        return true;
      }
    }
    return false;
  };
  return shown.filter((_, i) => !assign(i, new Set()));
}

/** A `$ ` line: the command, its `# comment`, and the output lines the README shows under it. */
interface Step {
  command: string;
  comment: string;
  output: string[];
}

function steps(code: string): Step[] {
  const out: Step[] = [];
  for (const line of code.split("\n")) {
    if (line.startsWith("$ ")) {
      const [, command, comment = ""] = /^\$ (.*?)(?:\s{2,}#\s*(.*))?$/.exec(line)!;
      out.push({ command: command.trimEnd(), comment, output: [] });
    } else if (line.trim() !== "" && out.length > 0) out.at(-1)!.output.push(line);
  }
  return out;
}

/** A command that only reads, so it may be run again until what it reads has come about. */
const READS = /^(proclist (ls|history|stats)\b|curl (?!.*-X))/;

/** The keys a `# keys: ↓ k "text"` comment names, as tmux's send-keys takes them. */
function keysOf(comment: string): string[] {
  const names: Record<string, string> = { "↓": "Down", "↑": "Up", Esc: "Escape" };
  const spec = /keys:\s*(.*)$/.exec(comment)?.[1] ?? "";
  return [...spec.matchAll(/"([^"]*)"|(\S+)/g)].map(([, text, key]) => text ?? names[key] ?? key);
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A child's stdout and stderr, as lines, added to `into` as they come. */
function collect(child: ChildProcess, into: string[]): void {
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = "";
    stream.on("data", (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split("\n");
      rest = parts.pop()!;
      into.push(...parts);
    });
    stream.on("end", () => rest !== "" && into.push(rest));
  }
}

/** What a block runs against, on free ports; `ports` maps the README's ports to them. */
interface Services {
  ports: Map<string, string>;
  stop(): Promise<void>;
}

/**
 * The services a block names: for each proclist API port 8081, 8082, … it names, the sample
 * (`npm start`) when it also names that sample's service port (3000 for 8081, 3001 for 8082, …), else
 * nothing at all (a closed port: an endpoint that is down). A block marked `burning` has on 8081 the
 * process of spec/profile/burning-server instead: two tasks sharing its CPU 30/70.
 */
async function servicesFor(block: Block): Promise<Services> {
  const named = new Set([...block.code.matchAll(/(?:localhost|127\.0\.0\.1):(\d{4,5})\b/g)].map((m) => Number(m[1])));
  const ports = new Map<string, string>();
  const children: ChildProcess[] = [];
  const spawnReading = async (script: string, ready: RegExp, stdin: "pipe" | "ignore") => {
    const child = spawn(process.execPath, [join(__dirname, "..", script)], {
      env: { ...process.env, PORT: "0", PROCLIST_PORT: "0", PROCLIST_TOKEN: "" },
      stdio: [stdin, "pipe", "inherit"],
    });
    children.push(child);
    let said = "";
    child.stdout!.on("data", (chunk: Buffer) => (said += chunk.toString()));
    return waitFor(`${script} to say its ports`, () => ready.exec(said), 60_000);
  };
  for (let api = 8081; api <= 8089; api++) {
    if (!named.has(api) && api !== 8081) continue;
    const web = api - 5081;
    if (block.markers.includes("burning") && api === 8081) {
      ports.set(String(api), (await spawnReading("spec/profile/burning-server.js", /^(\d+)\n/, "pipe"))[1]);
    } else if (named.has(web)) {
      const said = await spawnReading(
        "samples/service.js",
        /service: +http:\/\/127\.0\.0\.1:(\d+)[\s\S]*process list: +http:\/\/127\.0\.0\.1:(\d+)/,
        "ignore",
      );
      ports.set(String(web), said[1]);
      ports.set(String(api), said[2]);
    } else ports.set(String(api), String(await closedPort()));
  }
  return {
    ports,
    stop: async () => {
      await Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((resolve) => child.once("exit", resolve));
          child.kill();
          await exited;
        }),
      );
    },
  };
}

describe("the README's shown output", function () {
  this.timeout(180_000);
  const blocks = readmeBlocks().filter((b) => ["sh", "console"].includes(b.lang) && b.markers.includes("run"));
  let bin = "";

  before(() => {
    // `proclist` as npm's bin makes it, run by the Node of this test run.
    bin = mkdtempSync(join(tmpdir(), "proclist-readme-"));
    writeFileSync(
      join(bin, "proclist"),
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(__dirname, "..", "lib", "cli", "main.js"))} "$@"\n`,
    );
    chmodSync(join(bin, "proclist"), 0o755);
  });
  after(() => rmSync(bin, { recursive: true, force: true }));

  it("matches the patterns as meant: numbers, ids and column widths left open, words kept", () => {
    expect(outputPattern('{"id":"1","cancelling":true}').test('{"id":"a7","cancelling":true}')).to.equal(true);
    expect(outputPattern('{"error":"killed: too slow"}  # a comment').test('{"error":"task \\"1\\" was cancelled: too slow"}')).to.equal(
      false,
    );
    expect(outputPattern("data: {…, …]}").test('data: {"a":1, "b":[2]}')).to.equal(true);
    expect(
      outputPattern("127.0.0.1:8081  1   GET /work  17.5s  step 2/8").test("127.0.0.1:41235  12  GET /work  523ms    step 1/8"),
    ).to.equal(true);
    expect(outputPattern("127.0.0.1:8081  1  GET /work").test("127.0.0.1:8081  1  GET /users/:id")).to.equal(false);
    expect(outputPattern("1 task on 127.0.0.1:8081").test("1  task on 127.0.0.1:8081")).to.equal(false);
  });

  it("needs a printed line for each line shown, not one line for several", () => {
    const rows = ["127.0.0.1:8081  1  GET /work", "127.0.0.1:8082  1  GET /work"];
    expect(unmatched(rows, ["127.0.0.1:8081  1  GET /work"])).to.deep.equal([rows[1]]);
    expect(unmatched(rows, ["127.0.0.1:8082  1  GET /work", "127.0.0.1:8081  2  GET /work"])).to.deep.equal([]);
  });

  it("checks every block that shows output under a `$ ` line", () => {
    const shown = readmeBlocks().filter((b) => steps(b.code).some((s) => s.output.length > 0));
    expect(shown.filter((b) => !blocks.some((run) => run.line === b.line)).map((b) => `line ${b.line}`)).to.deep.equal([]);
    expect(shown.length).to.be.greaterThan(2);
  });

  for (const block of blocks) {
    it(`prints what the ${block.lang} run block at line ${block.line} shows`, async () => {
      const services = await servicesFor(block);
      const env: Record<string, string | undefined> = {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        PROCLIST_ENDPOINTS: `127.0.0.1:${services.ports.get("8081")}`,
        PROCLIST_TOKEN: "",
        PROCLIST_REDIS: "",
        PROCLIST_SERVICE: "",
        FORCE_COLOR: undefined,
      };
      const local = (command: string) =>
        command.replace(/\b(localhost|127\.0\.0\.1):(\d{4,5})\b/g, (all, host: string, port: string) =>
          services.ports.has(port) ? `${host}:${services.ports.get(port)}` : all,
        );
      const printed: string[][] = [];
      const background: ChildProcess[] = [];
      const screens: TmuxSession[] = [];
      const everything = () => printed.flat();
      try {
        for (const { command, comment, output } of steps(block.code)) {
          const line = local(command);
          if (line.endsWith("&")) {
            const child = spawn("bash", ["-c", line.slice(0, -1)], { env, stdio: ["ignore", "pipe", "pipe"] });
            background.push(child);
            collect(child, (printed[printed.length] = []));
          } else if (/^proclist top\b/.test(command)) {
            // Full screen: run in a real terminal, the keys its comment names pressed once every
            // row of the table shown is on screen, then the screen read until it shows every line.
            const tmux = await TmuxSession.start(`PATH=${bin}:$PATH ${line}; echo "top exited with $?"; sleep 600`, {
              width: 140,
              height: output.length + 4,
              env: env as Record<string, string>,
            });
            screens.push(tmux);
            const rows = output.filter((l) => /^(ENDPOINT|127\.0\.0\.1:\d+) {2}/.test(l));
            await tmux.waitFor(
              `the rows the README shows:\n${rows.join("\n")}`,
              (screen) => unmatched(rows, screen.split("\n")).length === 0,
            );
            await tmux.keys(...keysOf(comment));
            await tmux.waitFor(
              `the screen the README shows:\n${output.join("\n")}`,
              (screen) => unmatched(output, screen.split("\n")).length === 0,
            );
            continue;
          } else {
            const error = output.some((l) => l.startsWith("proclist:"));
            const deadline = Date.now() + 20_000;
            for (;;) {
              const lines: string[] = [];
              const child = execFile("bash", ["-c", line], { env, timeout: 60_000 });
              collect(child, lines);
              const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
              if (error) expect(code, `README command should fail: ${command}\n${lines.join("\n")}`).to.not.equal(0);
              else expect(code, `README command failed: ${command}\n${lines.join("\n")}`).to.equal(0);
              // What it reads may not have come about yet (a request started in the background):
              // a command that only reads is run again until it prints what is shown, or the deadline.
              const done = !READS.test(command) || unmatched(output, [...everything(), ...lines]).length === 0 || Date.now() > deadline;
              if (done) {
                printed.push(lines);
                break;
              }
              await tick(250);
            }
          }
          // Background output may come a moment later: wait for every shown line to be printed.
          const deadline = Date.now() + 10_000;
          while (unmatched(output, everything()).length > 0 && Date.now() < deadline) await tick(50);
          expect(
            unmatched(output, everything()),
            `output of \`${command}\` not printed; printed:\n${everything().join("\n")}`,
          ).to.deep.equal([]);
        }
      } finally {
        for (const child of background) child.kill();
        for (const tmux of screens) await tmux.close();
        await services.stop();
      }
    });
  }
});
