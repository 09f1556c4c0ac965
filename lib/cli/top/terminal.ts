import ansiEscapes from "ansi-escapes";
import { writeSync } from "node:fs";
import { emitKeypressEvents } from "node:readline";
import { createLogUpdate } from "log-update";
import type { Key } from "./keys";

/** The full-screen terminal `top` draws on. `close()` gives the terminal back exactly as it was. */
export interface Terminal {
  readonly width: number;
  readonly height: number;
  draw(lines: string[]): void;
  close(): void;
}

/**
 * Takes over the terminal: the alternate screen (so the shell's screen comes back untouched on
 * exit), no cursor, raw keys. The terminal is restored on close, on process exit, and if the
 * program crashes, so an operator is never left with a broken shell.
 */
export function openTerminal(onKey: (text: string | undefined, key: Key) => void, onResize: () => void): Terminal {
  const { stdin, stdout } = process;
  const log = createLogUpdate(stdout);
  let open = true;
  stdout.write(ansiEscapes.enterAlternativeScreen + ansiEscapes.cursorHide + ansiEscapes.clearViewport);
  emitKeypressEvents(stdin);
  stdin.setRawMode(true);
  stdin.resume();
  const keypress = (text: string | undefined, key: Key | undefined) => onKey(text, key ?? {});
  stdin.on("keypress", keypress);
  stdout.on("resize", onResize);
  // Last resort on an unexpected exit: synchronous, since nothing async runs in an exit handler.
  const restoreOnExit = () => {
    if (!open) return;
    open = false;
    try {
      stdin.setRawMode(false);
    } catch {
      // stdin already gone
    }
    writeSync(stdout.fd, ansiEscapes.cursorShow + ansiEscapes.exitAlternativeScreen);
  };
  process.on("exit", restoreOnExit);
  return {
    get width() {
      return stdout.columns ?? 80;
    },
    get height() {
      return stdout.rows ?? 24;
    },
    draw(lines) {
      if (open) log(lines.join("\n"));
    },
    close() {
      if (!open) return;
      stdin.off("keypress", keypress);
      stdout.off("resize", onResize);
      process.off("exit", restoreOnExit);
      log.clear();
      log.done();
      restoreOnExit();
      stdin.pause();
    },
  };
}
