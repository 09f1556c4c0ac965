import type { Command } from "commander";

/** One `proclist` subcommand: what its help line says, and how to load its module. */
export interface CommandEntry {
  readonly name: string;
  /** What follows the name in the command list, e.g. `[options] <id>`. */
  readonly usage: string;
  readonly summary: string;
  /** Loads the command's module (and with it the libraries only that command uses): what defines the command. */
  readonly load: () => (command: Command) => void;
}

/**
 * Every subcommand. Only the one being run is loaded (see program.ts): `proclist --help` and
 * `proclist ls` do not pay for the terminal UI of `top` or the event stream of `watch`.
 * To add a command: a module under commands/ exporting a function that defines the command's
 * arguments, options and action on the command it is given (made with the name and summary
 * here), and an entry here. The commands do not import this list, so imports run one way.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "ls",
    usage: "[options]",
    summary: "list the live tasks of every endpoint in one table, oldest first",
    load: () => require("./commands/ls").registerLs,
  },
  {
    name: "history",
    usage: "[options] <id>",
    summary: "show a task's timeline with the time spent in each status",
    load: () => require("./commands/history").registerHistory,
  },
  {
    name: "kill",
    usage: "[options] [id]",
    summary: "cancel a task, on whichever endpoint runs it, or every task a filter selects (--all)",
    load: () => require("./commands/kill").registerKill,
  },
  {
    name: "top",
    usage: "[options]",
    summary: "full-screen, refreshing list of the tasks of every endpoint; kill from the keyboard",
    load: () => require("./commands/top").registerTop,
  },
  {
    name: "watch",
    usage: "[options]",
    summary: "follow the events of every endpoint, one line per event",
    load: () => require("./commands/watch").registerWatch,
  },
  {
    name: "profile",
    usage: "[options]",
    summary: "profile the CPU of every endpoint for some seconds: CPU time per task name and the busiest tasks",
    load: () => require("./commands/profile").registerProfile,
  },
  {
    name: "audit",
    usage: "[options]",
    summary: "who killed what, when, with which message, and the attempts refused (newest first)",
    load: () => require("./commands/audit").registerAudit,
  },
  {
    name: "stats",
    usage: "[options]",
    summary: "per task name: counts, latency p50/p90/p99/max, and time spent in each status",
    load: () => require("./commands/stats").registerStats,
  },
];
