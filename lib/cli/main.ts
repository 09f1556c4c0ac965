#!/usr/bin/env node
// The `proclist` command (package.json "bin"). Kept apart from the library entry, so that
// importing proclist never loads commander, chalk or the terminal code.
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
