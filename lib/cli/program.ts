import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { registerHistory } from "./commands/history";
import { registerKill } from "./commands/kill";
import { registerLs } from "./commands/ls";
import { registerStats } from "./commands/stats";
import { registerTop } from "./commands/top";
import { registerWatch } from "./commands/watch";
import { closeConnections } from "./connect";
import { EXIT } from "./exit-codes";

const OVERVIEW = `
Every command takes -e/--endpoint (repeatable or a comma list; host:port or a URL;
default 127.0.0.1:8081) and --token (or PROCLIST_TOKEN). It speaks to proclist servers
and, for ls, history, kill and top, to servers of the original Go library VividCortex/pm.

Examples:
  $ proclist ls -e api1:8081,api2:8081
  $ proclist top -e api1:8081 -e api2:8081
  $ proclist kill req-42 -m "stuck on the database" -e api1:8081,api2:8081
  $ proclist <command> --help`;

/** The `proclist` command with its subcommands; usage errors exit 64, help and version 0. */
export function buildProgram(): Command {
  const program = new Command("proclist")
    .description("see what proclist-enabled Node.js servers are doing, and stop a task")
    .version(version(), "-V, --version")
    .exitOverride()
    .showHelpAfterError("(add --help for usage and examples)")
    .addHelpText("after", OVERVIEW);
  registerLs(program);
  registerHistory(program);
  registerKill(program);
  registerTop(program);
  registerWatch(program);
  registerStats(program);
  return program;
}

/** Runs the command line and returns the exit code; never throws. */
export async function run(argv: string[]): Promise<number> {
  process.exitCode = EXIT.OK;
  try {
    await buildProgram().parseAsync(argv);
    return Number(process.exitCode ?? EXIT.OK);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message; a thrown InvalidArgumentError from an action did not.
      if (error.code === "commander.invalidArgument" && !error.message.startsWith("error:")) process.stderr.write(`proclist: error: ${error.message}\n`);
      return error.exitCode === 0 || error.code === "commander.helpDisplayed" || error.code === "commander.version" ? EXIT.OK : EXIT.USAGE;
    }
    process.stderr.write(`proclist: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.UNREACHABLE;
  } finally {
    await closeConnections();
  }
}

function version(): string {
  try {
    // dist/lib/cli/program.js → the package root.
    return (JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}
