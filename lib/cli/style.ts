import type { ChalkInstance } from "chalk";

let chalk: ChalkInstance | undefined;

/**
 * Whether output may be coloured: a terminal, or colour forced the ways chalk honours. When not,
 * chalk (and its terminal detection) is not even loaded: `proclist ls | grep` starts faster.
 */
function mayColour(): boolean {
  return (
    process.stdout.isTTY === true || process.env.FORCE_COLOR !== undefined || process.argv.some((arg) => /^--colou?rs?(=|$)/.test(arg))
  );
}

/** `text` in bold when colours are on (chalk decides: NO_COLOR, FORCE_COLOR, the terminal). */
export function bold(text: string): string {
  if (!mayColour()) return text;
  chalk ??= (require("chalk") as typeof import("chalk")).default;
  return chalk.bold(text);
}
