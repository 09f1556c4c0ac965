import type { Command } from "commander";
import { connectAll, positiveInt, withConnection, type ConnectionOptions, type Target } from "../connect";
import { commandOf } from "../registry";
import { describeFailure, EXIT } from "../exit-codes";
import { formatValue } from "../format";
import { actionOf, type Action, type Key } from "../top/keys";
import { TopModel } from "../top/model";
import { openTerminal, type Terminal } from "../top/terminal";
import { renderFrame, type Scroll } from "../top/view";
import { Waker } from "../top/waker";

interface TopOptions extends ConnectionOptions {
  interval: number;
  message?: string;
}

const EXAMPLES = `
Keys:
  ↑ ↓ PgUp PgDn Home End   select a task
  k                        kill the selected task (asks y to confirm)
  s / S                    next / previous sort: age, status age, id, name, status, endpoint
  + / -                    longer / shorter refresh interval (250ms … 30s)
  p or space               pause / resume refreshing
  r                        refresh now
  q or Ctrl-C              quit

Examples:
  $ proclist top
  $ proclist top -e api1:8081,api2:8081,api3:8081 --interval 2000

An endpoint that stops answering is shown as DOWN with the reason, and its tasks are hidden
until it answers again. Works with servers of the original Go pm too.`;

/** Adds `proclist top` to the program. */
export function registerTop(program: Command): void {
  withConnection(commandOf(program, "top"))
    .option("--interval <ms>", "refresh interval in ms", positiveInt, 1000)
    .option("-m, --message <text>", "message recorded with kills made from top")
    .addHelpText("after", EXAMPLES)
    .action(async (options: TopOptions) => {
      process.exitCode = await top(options);
    });
}

async function top(options: TopOptions): Promise<number> {
  const targets = await connectAll(options, "all");
  if (process.stdout.isTTY !== true || process.stdin.isTTY !== true) {
    process.stderr.write("proclist: top needs a terminal; in scripts use `proclist ls` or `proclist watch`\n");
    return EXIT.USAGE;
  }
  const model = new TopModel(targets.map((t) => t.endpoint.label), options.interval);
  const waker = new Waker();
  const scroll: Scroll = { top: 0 };
  let stopped = false;
  let quit!: () => void;
  const finished = new Promise<void>((resolve) => (quit = resolve));
  let drawTimer: NodeJS.Timeout | undefined;
  const draw = () => {
    clearTimeout(drawTimer);
    drawTimer = undefined;
    if (!stopped) terminal.draw(renderFrame(model, { width: terminal.width, height: terminal.height, now: Date.now() }, scroll));
  };
  // Answers of several endpoints arrive close together: one frame for them (a frame costs ~8 ms at 160x40).
  const drawSoon = () => {
    drawTimer ??= setTimeout(draw, 30);
  };
  const terminal: Terminal = openTerminal((text, key) => onKey(actionOf(text, key)), draw);
  const onSignal = () => quit();
  process.once("SIGTERM", onSignal).once("SIGHUP", onSignal);

  const onKey = (action: Action) => {
    if (model.confirm !== undefined) {
      const confirm = model.confirm;
      model.confirm = undefined;
      if (action === "yes") void kill(confirm.endpoint, confirm.id);
      else if (action === "quit") return quit();
      else model.notice = { text: "kill cancelled", error: false };
      return draw();
    }
    model.notice = undefined;
    switch (action) {
      case "quit":
        return quit();
      case "up":
      case "down":
        model.move(action === "up" ? -1 : 1);
        break;
      case "pageUp":
      case "pageDown":
        model.move((action === "pageUp" ? -1 : 1) * Math.max(1, terminal.height - 8));
        break;
      case "home":
      case "end":
        model.move(action === "home" ? -Infinity : Infinity);
        break;
      case "kill":
        if (!model.askKill()) model.notice = { text: "no task selected", error: true };
        break;
      case "sort":
      case "sortBack":
        model.nextSort(action === "sort" ? 1 : -1);
        break;
      case "slower":
      case "faster":
        model.changeInterval(action === "slower" ? 1 : -1);
        waker.wake();
        break;
      case "pause":
        model.paused = !model.paused;
        if (!model.paused) waker.wake();
        break;
      case "refresh":
        waker.wake();
        break;
    }
    draw();
  };

  const kill = async (label: string, id: string) => {
    const target = targets.find((t) => t.endpoint.label === label)!;
    model.notice = { text: `killing ${formatValue(id)} on ${label}…`, error: false };
    draw();
    try {
      await target.client.kill(id, options.message);
      model.notice = { text: `cancel requested: task ${formatValue(id)} on ${label}`, error: false };
    } catch (error) {
      model.notice = { text: describeFailure(label, error), error: true };
    }
    waker.wake();
    draw();
  };

  const poll = async (target: Target) => {
    while (!stopped) {
      if (!model.paused) {
        try {
          const list = await target.client.processes();
          if (!model.paused) model.answered(target.endpoint.label, list, Date.now());
        } catch (error) {
          model.failed(target.endpoint.label, error, Date.now());
        }
        drawSoon();
      }
      if (!stopped) await waker.sleep(model.paused ? 60_000 : model.intervalMs);
    }
  };

  draw();
  const pollers = targets.map(poll);
  await finished;
  stopped = true;
  clearTimeout(drawTimer);
  process.off("SIGTERM", onSignal).off("SIGHUP", onSignal);
  terminal.close();
  waker.wake();
  // A poll stuck on a dead endpoint would hold the exit for up to --timeout; its answer no longer matters.
  void Promise.allSettled(pollers);
  setTimeout(() => process.exit(EXIT.OK), 300).unref();
  return EXIT.OK;
}
