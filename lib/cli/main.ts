#!/usr/bin/env node
// The `proclist` command (package.json "bin"). Kept apart from the library entry, so that
// importing proclist never loads commander, chalk or the terminal code.
import { run } from "./program";

run(process.argv).then((code) => {
  // exitCode rather than exit(): let a large table finish writing into a pipe.
  process.exitCode = code;
});
