import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError, Help } from "commander";
import { EXIT } from "./exit-codes";
import { COMMANDS } from "./registry";
import { terminalSafe } from "./terminal-text";

const OVERVIEW = `
Every command takes -e/--endpoint (repeatable or a comma list; host:port or a URL;
default 127.0.0.1:8081) and --token (or PROCLIST_TOKEN). It speaks to proclist servers
and, for ls, history, kill and top, to servers of the original Go library VividCortex/pm.

Examples:
  $ proclist ls -e api1:8081,api2:8081
  $ proclist top -e api1:8081 -e api2:8081
  $ proclist kill req-42 -m "stuck on the database" -e api1:8081,api2:8081
  $ proclist <command> --help`;

/**
 * The `proclist` command with its subcommands; usage errors exit 64, help and version 0. Only the
 * subcommand named in `argv` (or after `help`) is loaded and fully defined; the others are listed
 * from the registry, so that start-up loads one command's libraries at most. Without `argv`,
 * every command is loaded.
 */
export function buildProgram(argv?: readonly string[]): Command {
  const program = new Command("proclist")
    .description("see what proclist-enabled Node.js servers are doing, and stop a task")
    .version(version(), "-V, --version")
    .exitOverride()
    // commander's own errors (`error: unknown option '--x'`) in the command's one style.
    .configureOutput({
      outputError: (text, write) =>
        write(
          `proclist: ${text
            .trimEnd()
            .split("\n")
            .map((line) => terminalSafe(line, 1000))
            .join("\n")}\n`,
        ),
    })
    .showHelpAfterError("(add --help for usage and examples)")
    .addHelpText("after", OVERVIEW)
    .configureHelp({ subcommandTerm: (command) => termOf(command) });
  const wanted = argv === undefined ? undefined : commandNamed(argv.slice(2));
  for (const entry of COMMANDS) {
    const command = program.command(entry.name).description(entry.summary);
    if (argv === undefined || entry.name === wanted) entry.load()(command);
  }
  return program;
}

/** Runs the command line and returns the exit code; never throws. */
export async function run(argv: string[]): Promise<number> {
  process.exitCode = EXIT.OK;
  try {
    await buildProgram(argv).parseAsync(argv);
    return Number(process.exitCode ?? EXIT.OK);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message; a thrown InvalidArgumentError from an action did not.
      if (error.code === "commander.invalidArgument" && !error.message.startsWith("error:"))
        process.stderr.write(`proclist: error: ${terminalSafe(error.message, 1000)}\n`);
      return error.exitCode === 0 || error.code === "commander.helpDisplayed" || error.code === "commander.version" ? EXIT.OK : EXIT.USAGE;
    }
    process.stderr.write(`proclist: ${terminalSafe(error instanceof Error ? error.message : error, 1000)}\n`);
    return EXIT.UNREACHABLE;
  } finally {
    // Only a command that connects loads ./connect: --help and usage errors leave it unloaded.
    const connect = require.cache[require.resolve("./connect")]?.exports as typeof import("./connect") | undefined;
    await connect?.closeConnections();
  }
}

/** The subcommand a command line runs: its first operand, or the one after `help`. */
function commandNamed(args: readonly string[]): string | undefined {
  const operands = args.filter((arg) => !arg.startsWith("-"));
  return operands[0] === "help" ? operands[1] : operands[0];
}

const defaultHelp = new Help();

function termOf(command: Command): string {
  const entry = COMMANDS.find((c) => c.name === command.name());
  return entry === undefined ? defaultHelp.subcommandTerm(command) : `${entry.name} ${entry.usage}`;
}

function version(): string {
  try {
    // dist/lib/cli/program.js → the package root.
    return (JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}
