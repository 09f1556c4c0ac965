import { InvalidArgumentError, type Command } from "commander";
import type { TaskFilter } from "../client/types";
import { collect } from "./connect";

/** The filter options of `ls` and `kill`. */
export interface FilterOptions {
  name?: string;
  status?: string;
  attr: string[];
}

/** Adds `--name`, `--status` and `--attr key=value` (repeatable) to a command. */
export function withFilter(command: Command): Command {
  return command
    .option("--name <name>", "only tasks with this name")
    .option("--status <status>", "only tasks whose current status is this")
    .option("--attr <key=value>", "only tasks with this attribute value; repeatable", collect, []);
}

/** The filter the options name; a malformed --attr is a usage error. */
export function toFilter(options: FilterOptions): TaskFilter {
  const filter: TaskFilter = {};
  if (options.name !== undefined) filter.name = options.name;
  if (options.status !== undefined) filter.status = options.status;
  for (const pair of options.attr) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new InvalidArgumentError(`--attr wants key=value, got ${JSON.stringify(pair)}`);
    (filter.attrs ??= {})[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return filter;
}

/** Whether the options name any filter. */
export function hasFilter(options: FilterOptions): boolean {
  return options.name !== undefined || options.status !== undefined || options.attr.length > 0;
}
