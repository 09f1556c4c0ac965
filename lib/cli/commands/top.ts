import type { Command } from "commander";
import {
  connectAll,
  graceMs,
  joinedSince,
  onFleet,
  positiveInt,
  whereOf,
  withConnection,
  type ConnectionOptions,
  type Target,
} from "../connect";
import { describeFailure, EXIT } from "../exit-codes";
import { HttpStatusError, NotProclistApiError } from "../../client/errors";
import { formatDuration, formatValue } from "../format";
import { describeForce } from "../force-text";
import { DEFAULT_GRACE_MS } from "../../core/force";
import { unlessOriginal } from "../history-view";
import { actionOf, KEYS, type Action, type Key } from "../top/keys";
import { TopModel } from "../top/model";
import { openTerminal, type Terminal } from "../top/terminal";
import { renderFrame, type Scroll } from "../top/view";
import { Waker } from "../top/waker";

interface TopOptions extends ConnectionOptions {
  interval: number;
  message?: string;
  grace: number;
}

const EXAMPLES = `
Keys:
${KEYS.map(([keys, what]) => `  ${keys.padEnd(25)}${what}`).join("\n")}

Examples:
  $ proclist top
  $ proclist top -e api1:8081,api2:8081,api3:8081 --interval 2000
  $ proclist top -m "stuck, killed from top"   # the message k offers (editable)

At 80 columns the endpoint and time-in-status columns go first; id, age, status and attributes
stay. An endpoint that stops answering is shown as DOWN with the reason, and its last known
tasks stay on screen, dimmed, with the time of that answer (AS OF). With --redis, instances that
join later are followed too, and one that leaves shows as DOWN "gone since …". Works with servers
of the original Go pm too.`;

/** Defines `proclist top` on its command, which the program made with its name and summary. */
export function registerTop(command: Command): void {
  withConnection(command)
    .option("--interval <ms>", "refresh interval in ms", positiveInt, 1000)
    .option("-m, --message <text>", "the message k offers for a kill (edit it before Enter); recorded in the task's history")
    .option(
      "--grace <duration>",
      "K: how long a force-kill gives the cancel alone before forcing, as 2s, 500ms or 0",
      graceMs,
      DEFAULT_GRACE_MS,
    )
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
  const model = new TopModel(
    targets.map((t) => t.endpoint.label),
    options.interval,
  );
  model.where = whereOf(options).toUpperCase();
  /**
   * What the endpoint's token may do, so `k` is offered only where a kill can be allowed: read
   * each time the endpoint answers after not answering (at start, after it was down: a server
   * restarted with other tokens gives the token other rights) and after a kill it refused.
   */
  const readRights = (target: Target) => {
    const whoami = (target.client as { whoami?: () => Promise<{ can: string[] } | undefined> }).whoami;
    if (whoami === undefined) return;
    const label = target.endpoint.label;
    whoami.call(target.client).then(
      (answer) => {
        if (answer === undefined) model.rights.delete(label);
        else model.rights.set(label, answer.can);
        drawSoon();
      },
      () => undefined, // unreachable, or the token refused: its list's poll says so
    );
  };
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
  const terminal: Terminal = openTerminal(
    (text, key) => (model.input !== undefined ? onInput(text, key) : onKey(actionOf(text, key))),
    draw,
  );
  const onSignal = () => quit();
  process.once("SIGTERM", onSignal).once("SIGHUP", onSignal);

  /** A line being typed: the filter applies as it is typed; the kill message waits for Enter. */
  const onInput = (text: string | undefined, key: Key) => {
    const input = model.input!;
    if (key.ctrl === true && (key.name === "c" || key.name === "d")) return quit();
    if (key.name === "escape") {
      model.input = undefined;
      if (input.kind === "filter") model.filter = "";
      else {
        model.confirm = undefined;
        model.notice = { text: "kill cancelled", error: false };
      }
    } else if (key.name === "return" || key.name === "enter") {
      model.input = undefined;
      if (input.kind === "message" && model.confirm !== undefined) model.confirm.message = input.text.trim();
    } else if (key.name === "backspace") input.text = [...input.text].slice(0, -1).join("");
    else if (text !== undefined && key.ctrl !== true && !/[\u0000-\u001f\u007f]/.test(text)) input.text += text;
    // The filter follows the text while the prompt is open; Esc cleared it above, Enter keeps it.
    if (input.kind === "filter" && model.input === input) model.filter = input.text.trim().toLowerCase();
    draw();
  };

  const onKey = (action: Action) => {
    if (model.confirm !== undefined) {
      const confirm = model.confirm;
      model.confirm = undefined;
      if (action === "yes") void kill(confirm.endpoint, confirm.id, confirm.message, confirm.force, confirm.boot);
      else if (action === "quit") return quit();
      else model.notice = { text: "kill cancelled", error: false };
      return draw();
    }
    if (model.help) {
      model.help = false;
      if (action === "quit") return quit();
      return draw();
    }
    model.notice = undefined;
    if (model.history !== undefined && action !== "quit" && action !== "kill" && action !== "force") {
      // Enter or Esc go back to the list; the moving keys scroll the history (never the hidden
      // list's selection, which `k` would then kill); the other keys act on the list behind.
      if (action === "history" || action === "back") {
        model.history = undefined;
        return draw();
      }
      const page = Math.max(1, terminal.height - 8);
      const scroll = { up: 1, down: -1, pageUp: page, pageDown: -page, home: Infinity, end: -Infinity } as Partial<Record<Action, number>>;
      if (scroll[action] !== undefined) {
        model.scrollHistory(scroll[action]!);
        return draw();
      }
    }
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
      case "force": {
        const force = action === "force" ? { graceMs: options.grace } : undefined;
        const refusal = model.killRefusal(force !== undefined);
        if (refusal !== undefined) model.notice = { text: formatValue(refusal), error: true };
        else if (!model.askKill(options.message, force)) model.notice = { text: "no task selected", error: true };
        break;
      }
      case "filter":
        model.input = { kind: "filter", text: model.filter };
        break;
      case "back":
        model.filter = "";
        break;
      case "history": {
        const row = model.selected();
        if (row === undefined) model.notice = { text: "no task selected", error: true };
        else {
          model.history = { endpoint: row.endpoint, id: row.proc.id };
          void loadHistory();
        }
        break;
      }
      case "help":
        model.help = true;
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

  /** Fetches the history shown in place (again at each refresh while it is open: a running task moves on). */
  const loadHistory = async () => {
    const view = model.history;
    if (view === undefined) return;
    const target = targets.find((t) => t.endpoint.label === view.endpoint);
    if (target === undefined) return;
    try {
      const [history, task] = await Promise.all([target.client.history(view.id), target.client.task(view.id).catch(unlessOriginal)]);
      if (model.history === view) model.history = { ...view, found: { target, history, task } };
    } catch (error) {
      if (model.history === view) model.history = { ...view, error: describeFailure(view.endpoint, error) };
    }
    drawSoon();
  };

  const kill = async (
    label: string,
    id: string,
    message: string | undefined,
    force: { graceMs: number } | undefined,
    boot: string | undefined,
  ) => {
    const target = targets.find((t) => t.endpoint.label === label)!;
    const said = message === "" ? undefined : message;
    const grace = force === undefined || force.graceMs === 0 ? "" : `, forcing it in ${formatDuration(force.graceMs)} if it still runs`;
    model.notice = { text: `killing ${formatValue(id)} on ${label}${grace}…`, error: false };
    draw();
    try {
      if (force === undefined) {
        await target.client.kill(id, { message: said, boot });
        model.notice = { text: `cancel requested: task ${formatValue(id)} on ${label}`, error: false };
      } else {
        // The answer comes once the ladder is over: the list shows the cancel meanwhile.
        waker.wake();
        const killed = await target.client.kill(id, { message: said, force: true, graceMs: force.graceMs, boot });
        model.notice =
          killed.force === undefined
            ? { text: `${label} did not force task ${formatValue(id)} (a server without forced kills): it was only cancelled`, error: true }
            : { text: `${describeForce(id, killed.force)} (on ${label})`, error: !killed.force.ended };
      }
    } catch (error) {
      model.notice = { text: describeFailure(label, error), error: true };
      readRights(target);
    }
    waker.wake();
    draw();
  };

  /** Endpoints whose `/stats` is not a proclist one (the Go original): not asked again. */
  const noStats = new Set<string>();
  /** The endpoint's `/stats` (event-loop delay, a running CPU profile), read with its list; undefined where there is none. */
  const health = async (target: Target) => {
    if (noStats.has(target.endpoint.label)) return undefined;
    try {
      return await target.client.stats();
    } catch (error) {
      // A server without the route never will have it; any other failure is the list's poll's to say.
      if (error instanceof NotProclistApiError || (error instanceof HttpStatusError && error.status === 404))
        noStats.add(target.endpoint.label);
      return undefined;
    }
  };

  const poll = async (target: Target) => {
    while (!stopped) {
      if (!model.paused) {
        try {
          const [list, stats] = await Promise.all([target.client.processes(), health(target)]);
          if (!model.paused) {
            if (model.endpoints.find((e) => e.label === target.endpoint.label)?.up !== true) readRights(target);
            model.answered(target.endpoint.label, list, Date.now());
            model.statsAnswered(target.endpoint.label, stats);
          }
          if (model.history?.endpoint === target.endpoint.label) void loadHistory();
        } catch (error) {
          model.failed(target.endpoint.label, error, Date.now());
        }
        drawSoon();
      }
      if (!stopped) await waker.sleep(model.paused ? 60_000 : model.intervalMs);
    }
  };

  /** With --redis: at each refresh, instances that joined since are followed too (those that left show as gone by their own polls). */
  const discover = async () => {
    while (!stopped) {
      if (!model.paused) {
        try {
          for (const target of await joinedSince(targets, options)) {
            targets.push(target);
            model.add(target.endpoint.label);
            pollers.push(poll(target));
          }
        } catch {
          // Redis away: each instance's own poll says so.
        }
      }
      if (!stopped) await waker.sleep(model.paused ? 60_000 : model.intervalMs);
    }
  };

  draw();
  const pollers = targets.map(poll);
  if (onFleet(options)) pollers.push(discover());
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
