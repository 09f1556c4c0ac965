#!/usr/bin/env node
// The `proclist` command (package.json "bin"). Kept apart from the library entry, so that
// importing proclist never loads commander, chalk or the terminal code.
import { enableCompileCache } from "node:module";

// Node 22.1+ keeps the compiled code of the modules the command loads on disk, in the OS's temp
// folder, so that every run after the first skips compiling them: start-up is most of what a
// `proclist ls` costs. Node 20 has no such cache; a read-only temp folder only disables it.
enableCompileCache?.();

import { run } from "./program";

// `proclist watch | head -1`: the reader went away. Stop quietly, as Unix tools do on SIGPIPE.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(0);
});

run(process.argv).then((code) => {
  // exitCode rather than exit(): let a large table finish writing into a pipe.
  process.exitCode = code;
});
