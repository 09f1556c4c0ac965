import { expect } from "chai";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { childEnv, proclist } from "./fixture";

const run = promisify(execFile);

describe("the proclist command's entry", () => {
  it("stays out of the library: importing proclist loads no argument parser or terminal code", async () => {
    const entry = join(__dirname, "..", "..", "lib", "index.js");
    const script = `require(${JSON.stringify(entry)}); console.log(JSON.stringify(Object.keys(require.cache)))`;
    const loaded = JSON.parse((await run(process.execPath, ["-e", script])).stdout) as string[];
    const terminal = loaded.filter((file) =>
      /node_modules[\\/](commander|chalk|log-update|ansi-escapes|string-width)[\\/]|[\\/]lib[\\/]cli[\\/]/.test(file),
    );
    expect(terminal).to.deep.equal([]);
  });

  it("starts with a shebang, so the bin link runs it with node", async () => {
    const { readFile } = await import("node:fs/promises");
    expect((await readFile(join(__dirname, "..", "..", "lib", "cli", "main.js"), "utf8")).split("\n")[0]).to.equal("#!/usr/bin/env node");
  });

  it("refuses to run top without a terminal, pointing to ls and watch (exit 64)", async () => {
    const { code, stderr } = await proclist(["top", "-e", "127.0.0.1:1"]);
    expect(code).to.equal(64);
    expect(stderr).to.contain("top needs a terminal; in scripts use `proclist ls` or `proclist watch`");
  });

  it("shows the help on stderr and exits 64 when no command is given, and prints its version", async () => {
    const none = await proclist([]);
    expect(none.code).to.equal(64);
    expect(none.stderr).to.contain("Usage: proclist [options] [command]");
    const version = await run(process.execPath, [join(__dirname, "..", "..", "lib", "cli", "main.js"), "--version"], { env: childEnv() });
    expect(version.stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
  });
});

describe("the proclist command's start-up", () => {
  /** The modules of proclist and node_modules that running `proclist <args>` loaded, relative to dist/lib or node_modules. */
  async function loadedBy(args: string[]): Promise<string[]> {
    const program = join(__dirname, "..", "..", "lib", "cli", "program.js");
    const script = `require(${JSON.stringify(program)}).run(["node", "proclist", ...${JSON.stringify(args)}]).then(() => process.stderr.write("\\n" + JSON.stringify(Object.keys(require.cache))))`;
    const { stderr } = await run(process.execPath, ["-e", script], { env: childEnv() }).catch((error: { stderr: string }) => error);
    return (JSON.parse(stderr.slice(stderr.lastIndexOf("\n") + 1)) as string[]).map((file) =>
      file.replace(/^.*[\\/](dist[\\/]lib|node_modules)[\\/]/, ""),
    );
  }

  it("loads no command's module for --help, and only its own for a command", async () => {
    const help = await loadedBy(["--help"]);
    expect(help.filter((file) => /^cli[\\/]commands[\\/]|^ajv[\\/]|^(chalk|log-update)[\\/]/.test(file))).to.deep.equal([]);
    const ls = await loadedBy(["ls", "-e", "127.0.0.1:9", "--json"]);
    expect(ls.filter((file) => /^cli[\\/]commands[\\/]/.test(file))).to.deep.equal(["cli/commands/ls.js"]);
    expect(ls.filter((file) => /^cli[\\/]top[\\/]|^log-update[\\/]|^ajv[\\/](?!dist[\\/]runtime)/.test(file))).to.deep.equal([]);
  });

  it("still answers the help of a command not loaded up front, with `help <command>`", async () => {
    const { stdout } = await run(process.execPath, [join(__dirname, "..", "..", "lib", "cli", "main.js"), "help", "kill"], {
      env: childEnv(),
    });
    expect(stdout)
      .to.contain("Usage: proclist kill [options] [id]")
      .and.contain("cancel a task, on whichever endpoint runs it")
      .and.contain("--endpoint");
  });
});
