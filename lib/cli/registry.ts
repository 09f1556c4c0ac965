import type { Command } from "commander";

/** One `proclist` subcommand: what its help line says, and how to load its module. */
export interface CommandEntry {
  readonly name: string;
  /** What follows the name in the command list, e.g. `[options] <id>`. */
  readonly usage: string;
  readonly summary: string;
  /** Loads the command's module (and with it the libraries only that command uses) and defines it. */
  readonly load: () => (program: Command) => void;
}

/**
 * Every subcommand. Only the one being run is loaded (see program.ts): `proclist --help` and
 * `proclist ls` do not pay for the terminal UI of `top` or the event stream of `watch`.
 * To add a command: a module under commands/ exporting `register(program)` that starts with
 * `commandOf(program, "<name>")`, and an entry here.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: "ls", usage: "[options]", summary: "list the live tasks of every endpoint in one table, oldest first", load: () => require("./commands/ls").registerLs },
  { name: "history", usage: "[options] <id>", summary: "show a task's timeline with the time spent in each status", load: () => require("./commands/history").registerHistory },
  { name: "kill", usage: "[options] [id]", summary: "cancel a task, on whichever endpoint runs it, or every task a filter selects (--all)", load: () => require("./commands/kill").registerKill },
  { name: "top", usage: "[options]", summary: "full-screen, refreshing list of the tasks of every endpoint; kill from the keyboard", load: () => require("./commands/top").registerTop },
  { name: "watch", usage: "[options]", summary: "follow the events of every endpoint, one line per event", load: () => require("./commands/watch").registerWatch },
  { name: "stats", usage: "[options]", summary: "per task name: counts, latency p50/p90/p99/max, and time spent in each status", load: () => require("./commands/stats").registerStats },
];

/** Starts the definition of a registered command: its name and the summary the command list shows. */
export function commandOf(program: Command, name: string): Command {
  const entry = COMMANDS.find((command) => command.name === name);
  if (entry === undefined) throw new Error(`proclist has no command ${JSON.stringify(name)} in cli/registry.ts`);
  return program.command(name).description(entry.summary);
}
