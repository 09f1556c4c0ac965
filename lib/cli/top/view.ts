import chalk from "chalk";
import stringWidth from "string-width";
import { renderHistory } from "../history-view";
import { formatDuration, formatInterval, formatValue, formatWhen, truncate } from "../format";
import type { Row } from "../rows";
import { fittedTable, taskColumns } from "../task-columns";
import { KEYS } from "./keys";
import type { EndpointView, HistoryView, TopModel } from "./model";

const KEYS_HELP = "↑↓ select  Enter history  k kill  K force  / filter  ? keys  q quit  s sort  +/- interval  p pause  r refresh";

/** Terminal size and the local time, the only inputs of a frame besides the model. */
export interface Screen {
  width: number;
  height: number;
  now: number;
}

/** Where the list was scrolled to, kept between frames so the selection moves smoothly. */
export interface Scroll {
  top: number;
}

/**
 * One frame of `top`, as lines no wider than the screen and one fewer than its height (the last
 * line stays free so the terminal never scrolls the alternate screen).
 */
export function renderFrame(model: TopModel, screen: Screen, scroll: Scroll = { top: 0 }): string[] {
  const width = Math.max(20, screen.width);
  const rows = model.rows();
  const budget = Math.max(1, screen.height - 1);
  let header = [headline(model, rows.length, screen), ...endpointLines(model.endpoints, screen.now, width)];
  // A token that may kill (or force) nothing anywhere is not offered the key.
  let keys = model.mayKillAny() ? KEYS_HELP : KEYS_HELP.replace("  k kill", "");
  if (!model.mayKillAny(true)) keys = keys.replace("  K force", "");
  const prompt = fit(footerLine(model), width);
  let footer = [prompt, fit(chalk.dim(keys), width)];
  // A short screen keeps the prompt (what y would kill, a refusal) and two lines for the body (the
  // table's heading and the selected row): the keys line goes first, then the endpoint lines, then
  // the headline. Cut from the end instead, a kill prompt below 8 rows was never seen.
  const BODY_MIN = 2;
  while (header.length + footer.length + BODY_MIN > budget) {
    if (footer.length === 2) footer = [prompt];
    else if (header.length > 1) header = header.slice(0, -1);
    else if (footer[0] === "") footer = [];
    else if (header.length > 0) header = [];
    else break;
  }
  const space = Math.max(0, budget - header.length - footer.length);
  const room = Math.max(1, space - 2);
  let body: string[];
  if (model.help) body = ["", ...KEYS.map(([keys, what]) => `${keys.padEnd(24)}${what}`)];
  else if (model.history !== undefined) body = ["", ...historyLines(model.history, room + 1)];
  else if (rows.length === 0) {
    const none =
      model.filter !== ""
        ? `no task matches the filter "${model.filter}"`
        : model.endpoints.some((e) => e.up === true)
          ? "no live tasks"
          : "waiting for an endpoint to answer…";
    body = ["", none];
  } else body = tableLines(model, rows, width, room, scroll);
  // The body's first line is a spacer (or says which rows show): the first to go when it does not fit.
  if (body.length > space) body = body.slice(1);
  body = body.slice(0, space);
  const filler = Array.from({ length: Math.max(0, budget - header.length - body.length - footer.length) }, () => "");
  return [...header, ...body.map((l) => fit(l, width)), ...filler, ...footer].slice(0, budget);
}

/**
 * The task table under a line saying which rows show when they do not all fit. Only the visible
 * rows are formatted and measured, so a frame costs the same for 100 tasks or 10,000.
 */
function tableLines(model: TopModel, rows: Row[], width: number, room: number, scroll: Scroll): string[] {
  const selected = model.selection(rows);
  if (selected < scroll.top) scroll.top = selected;
  if (selected >= scroll.top + room) scroll.top = selected - room + 1;
  scroll.top = Math.max(0, Math.min(scroll.top, Math.max(0, rows.length - room)));
  const visible = rows.slice(scroll.top, scroll.top + room);
  // Columns from every row (attributes, AS OF), so scrolling does not change them; cells of the visible ones.
  const lines = fittedTable(taskColumns(rows, model.where), visible, width);
  const out = [rows.length > room ? chalk.dim(`rows ${scroll.top + 1}-${scroll.top + visible.length} of ${rows.length}`) : "", lines[0]];
  lines.slice(1).forEach((line, i) => {
    const at = scroll.top + i;
    // A down endpoint's rows are as of its last answer: dimmed, and the AS OF column says when.
    out.push(at === selected ? chalk.inverse(pad(line, width)) : rows[at].asOf !== undefined ? chalk.dim(line) : line);
  });
  return out;
}

/** The selected task's history in place of the list; the newest entries when it is longer than the room. */
function historyLines(view: HistoryView, room: number): string[] {
  if (view.found === undefined)
    return [
      view.error === undefined
        ? `loading the history of ${formatValue(view.id)} on ${view.endpoint}…`
        : chalk.red(`history of ${formatValue(view.id)} on ${view.endpoint}: ${formatValue(view.error)}`),
    ];
  const lines = renderHistory(view.id, view.found);
  if (lines.length <= room) return lines;
  // The title line, a line saying what is hidden on each side, and as many entries as fit.
  const entries = lines.slice(1);
  const fits = Math.max(1, room - 2);
  const back = Math.min(view.back ?? 0, entries.length - fits);
  view.back = back;
  const end = entries.length - back;
  const start = end - fits;
  const hidden = [start > 0 ? `… ${start} older lines (↑)` : "", back > 0 ? `${back} newer lines (↓)` : ""]
    .filter((t) => t !== "")
    .join(", ");
  return [lines[0], chalk.dim(hidden), ...entries.slice(start, end)];
}

function headline(model: TopModel, count: number, screen: Screen): string {
  const total = model.unfiltered;
  const counted = model.filter === "" ? `${count} task${count === 1 ? "" : "s"}` : `${count} of ${total} tasks, filter "${model.filter}"`;
  const parts = [
    chalk.bold("proclist top"),
    counted,
    `sort: ${model.sort}`,
    `every ${formatInterval(model.intervalMs)}`,
    formatWhen(screen.now, screen.now),
  ];
  if (model.paused) parts.push(chalk.inverse(" PAUSED "));
  return fit(parts.join(" · "), screen.width);
}

function endpointItem(e: EndpointView, now: number): string {
  if (e.up === undefined) return `${e.label} ${chalk.dim("connecting…")}`;
  if (e.up) return `${e.label} ${chalk.green("up")} (${e.list.procs.length})${healthOf(e)}`;
  const since = e.downSince === undefined ? "" : ` for ${formatDuration(now - e.downSince)}`;
  // A fleet instance that left: when, in the one time format; its rows' AS OF says when top last heard from it.
  if (e.goneSince !== undefined) return `${e.label} ${chalk.red.bold("DOWN")}${since}: gone since ${formatWhen(e.goneSince, now)}`;
  const last = e.lastOk === undefined ? "" : `, last answer ${formatWhen(e.lastOk, now)}`;
  return `${e.label} ${chalk.red.bold("DOWN")}${since}: ${e.error === undefined ? "no answer" : formatValue(e.error)}${last}`;
}

/**
 * What the endpoint's `/stats` says of its health: the event loop's delay over the last minute
 * (yellow at a slow p99, red past a 200 ms block) and a CPU profile running, with the time left.
 */
function healthOf(e: EndpointView): string {
  const stats = e.stats;
  if (stats === undefined) return "";
  let out = "";
  if (stats.loop !== undefined) {
    const { p50, p99, max } = stats.loop.delayMs;
    const text = `loop p50 ${formatDuration(p50)} p99 ${formatDuration(p99)} max ${formatDuration(max)}`;
    out += ` · ${max >= 200 ? chalk.red(text) : p99 >= 50 ? chalk.yellow(text) : text}`;
  }
  if (stats.profiling !== undefined)
    out += ` · ${chalk.bold(`CPU profile, ${formatDuration(Math.max(0, stats.profiling.endsAt - stats.serverTime))} left`)}`;
  return out;
}

function footerLine(model: TopModel): string {
  if (model.input?.kind === "filter") return `/${model.input.text}▏ ${chalk.dim("Enter keeps the filter, Esc clears it")}`;
  if (model.confirm !== undefined) {
    const { id, endpoint, forbidCancel, message, force } = model.confirm;
    const warn = forbidCancel ? chalk.yellow(" (started with forbidCancel: the server will refuse)") : "";
    const what = `${force === undefined ? "Kill" : "Force-kill"} task ${formatValue(JSON.stringify(id))} on ${endpoint}`;
    if (model.input?.kind === "message")
      return `${chalk.bold(`${what}: message (optional)`)} ${model.input.text}▏ ${chalk.dim("Enter to go on, Esc to cancel")}${warn}`;
    const said = message === undefined || message === "" ? "" : ` with message ${formatValue(JSON.stringify(message))}`;
    const when =
      force === undefined
        ? ""
        : force.graceMs === 0
          ? ", forcing at once"
          : `, forcing it if it still runs ${formatDuration(force.graceMs)} after the cancel`;
    return chalk.bold(`${what}${said}${when}? y to confirm, any other key to cancel`) + warn;
  }
  if (model.history !== undefined) return chalk.dim("Enter or Esc: back to the list");
  if (model.notice !== undefined) return model.notice.error ? chalk.red(formatValue(model.notice.text)) : formatValue(model.notice.text);
  return "";
}

/** Endpoint statuses side by side, wrapped to the width, one per line when long. */
/** At most this many lines of endpoints above the table. */
const ENDPOINT_LINES = 6;

/**
 * The endpoints' states, wrapped to the width in at most ENDPOINT_LINES lines. When they do not
 * fit (a fleet of forty instances), those not up come first and the last line counts the rest,
 * so a DOWN one is never hidden behind healthy ones and nothing is left out silently.
 */
function endpointLines(endpoints: readonly EndpointView[], now: number, width: number): string[] {
  const all = wrapItems(
    endpoints.map((e) => endpointItem(e, now)),
    width,
  );
  if (all.length <= ENDPOINT_LINES) return all.map((l) => fit(l.text, width));
  const ordered = [...endpoints.filter((e) => e.up !== true), ...endpoints.filter((e) => e.up === true)];
  const lines = wrapItems(
    ordered.map((e) => endpointItem(e, now)),
    width,
  ).slice(0, ENDPOINT_LINES - 1);
  const rest = ordered.slice(lines.reduce((n, l) => n + l.items, 0));
  const up = rest.filter((e) => e.up === true).length;
  const more = `… ${rest.length} more: ${up} up${rest.length > up ? `, ${chalk.red.bold(`${rest.length - up} not up`)}` : ""}`;
  return [...lines.map((l) => fit(l.text, width)), fit(more, width)];
}

function wrapItems(items: string[], width: number): { text: string; items: number }[] {
  const lines: { text: string; items: number }[] = [];
  let line = { text: "", items: 0 };
  for (const item of items) {
    if (line.text !== "" && stringWidth(line.text) + 3 + stringWidth(item) > width) {
      lines.push(line);
      line = { text: "", items: 0 };
    }
    line = { text: line.text === "" ? item : `${line.text}   ${item}`, items: line.items + 1 };
  }
  if (line.text !== "") lines.push(line);
  return lines;
}

function pad(line: string, width: number): string {
  const w = stringWidth(line);
  return w >= width ? line : line + " ".repeat(width - w);
}

/** Cuts a line (which may hold colours) to the width. */
function fit(line: string, width: number): string {
  if (stringWidth(line) <= width) return line;
  // Cutting inside escape sequences is unsafe: drop the colours of an over-long line.
  return truncate(formatValue(line.replace(/\u001b\[[0-9;]*m/g, "")), width);
}
