import { expect } from "chai";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { waitFor } from "./helpers";
import { readmeBlocks } from "./readme-blocks";

/**
 * The output the README shows under the `$ ` lines of its ```sh run blocks, checked against what
 * those commands print against the sample (`node dist/samples/service.js`, as `npm start` runs it,
 * on free ports). Every output line must be a line some command printed: the command just run, or
 * one still running in the background (`&`). Only what changes from run to run is left open: any
 * run of letters and digits holding a digit (ids, times, ports, durations, event ids) matches any
 * other, `…` matches anything, and a trailing `  # comment` is the README's, not the output's.
 */
function outputPattern(line: string): RegExp {
  const text = line.replace(/\s{2,}#.*$/, "").trimEnd();
  const parts = text.split("…").map((part) =>
    part
      .split(/([0-9a-z]*[0-9][0-9a-z]*)/i)
      .map((piece, i) => (i % 2 === 1 ? "[0-9a-z]+" : piece.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join(""),
  );
  return new RegExp(`^${parts.join(".*")}$`, "i");
}

/** A `$ ` line and the output lines the README shows under it. */
interface Step {
  command: string;
  output: string[];
}

function steps(code: string): Step[] {
  const out: Step[] = [];
  for (const line of code.split("\n")) {
    if (line.startsWith("$ "))
      out.push({
        command: line
          .slice(2)
          .replace(/\s{2,}#.*$/, "")
          .trimEnd(),
        output: [],
      });
    else if (line.trim() !== "" && out.length > 0) out.at(-1)!.output.push(line);
  }
  return out;
}

describe("the README's shown output", function () {
  this.timeout(120_000);
  const blocks = readmeBlocks().filter((b) => b.lang === "sh" && b.markers.includes("run"));
  let sample: ChildProcess;
  let web = "";
  let api = "";
  const background: ChildProcess[] = [];

  before(async () => {
    sample = spawn(process.execPath, [join(__dirname, "..", "samples", "service.js")], {
      env: { ...process.env, PORT: "0", PROCLIST_PORT: "0", PROCLIST_TOKEN: "" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let said = "";
    sample.stdout!.on("data", (chunk: Buffer) => (said += chunk.toString()));
    await waitFor("the sample's ports", () => /process list: /.test(said), 60_000);
    web = /service: +http:\/\/127\.0\.0\.1:(\d+)/.exec(said)![1];
    api = /process list: +http:\/\/127\.0\.0\.1:(\d+)/.exec(said)![1];
  });
  after(() => {
    for (const child of background) child.kill();
    sample?.kill();
  });

  it("matches the patterns as meant: numbers and ids left open, words kept", () => {
    expect(outputPattern('{"id":"1","cancelling":true}').test('{"id":"a7","cancelling":true}')).to.equal(true);
    expect(outputPattern('{"error":"killed: too slow"}  # a comment').test('{"error":"task \\"1\\" was cancelled: too slow"}')).to.equal(
      false,
    );
    expect(outputPattern("data: {…, …]}").test('data: {"a":1, "b":[2]}')).to.equal(true);
  });

  it("has a shell block that runs, with output under its commands", () => {
    expect(blocks.flatMap((b) => steps(b.code)).filter((s) => s.output.length > 0)).to.not.have.length(0);
  });

  for (const block of blocks) {
    it(`prints what the sh run block at line ${block.line} shows`, async () => {
      const printed: string[][] = [];
      const collect = (child: ChildProcess) => {
        const lines: string[] = [];
        let rest = "";
        printed.push(lines);
        child.stdout!.on("data", (chunk: Buffer) => {
          const parts = (rest + chunk.toString()).split("\n");
          rest = parts.pop()!;
          lines.push(...parts);
        });
        child.stdout!.on("end", () => rest !== "" && lines.push(rest));
      };
      for (const { command, output } of steps(block.code)) {
        const line = command.replaceAll("localhost:3000", `localhost:${web}`).replaceAll("localhost:8081", `localhost:${api}`);
        if (line.endsWith("&")) {
          const child = spawn("bash", ["-c", line.slice(0, -1)], { stdio: ["ignore", "pipe", "ignore"] });
          background.push(child);
          collect(child);
        } else {
          const child = execFile("bash", ["-c", line], { timeout: 60_000 });
          collect(child);
          const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
          expect(code, `README command failed: ${command}`).to.equal(0);
        }
        // Background output may come a moment later: wait for each shown line to be printed.
        for (const shown of output) {
          const pattern = outputPattern(shown);
          await waitFor(
            `output of \`${command}\` as the README shows it: ${shown}\n  printed:\n${printed.flat().join("\n")}`,
            () => printed.some((lines) => lines.some((l) => pattern.test(l))),
            10_000,
          );
        }
      }
    });
  }
});
