import chalk from "chalk";
import stringWidth from "string-width";
import { formatClock, formatDuration, formatInterval, formatValue, truncate } from "../format";
import { attrNames, taskTable } from "../rows";
import { naturalWidths, renderTable } from "../table";
import type { EndpointView, TopModel } from "./model";

const KEYS_HELP = "↑↓ select  k kill  s sort  +/- interval  p pause  r refresh  q quit";

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
  const header = [headline(model, rows.length, screen), ...wrapItems(model.endpoints.map((e) => endpointItem(e, screen.now)), width)];
  const footer = [footerLine(model), chalk.dim(KEYS_HELP)].map((l) => fit(l, width));
  const room = Math.max(1, screen.height - 1 - header.length - footer.length - 2);
  const body: string[] = [""];
  if (rows.length === 0) {
    body.push(model.endpoints.some((e) => e.up === true) ? "no live tasks" : "waiting for an endpoint to answer…");
  } else {
    const selected = model.selection(rows);
    if (selected < scroll.top) scroll.top = selected;
    if (selected >= scroll.top + room) scroll.top = selected - room + 1;
    scroll.top = Math.max(0, Math.min(scroll.top, Math.max(0, rows.length - room)));
    const visible = rows.slice(scroll.top, scroll.top + room);
    // Only the visible rows are formatted and measured: a frame costs the same for 100 tasks or 10,000.
    const { head, cells } = taskTable(visible, 200, { attrs: attrNames(rows), named: rows.some((r) => r.proc.name !== undefined) });
    const widths = fitWidths(head, cells, width);
    const lines = renderTable(head.slice(0, widths.length), cells.map((c) => c.slice(0, widths.length)), { widths });
    body.push(lines[0]);
    lines.slice(1).forEach((line, i) => body.push(scroll.top + i === selected ? chalk.inverse(pad(line, width)) : line));
    if (rows.length > room) body[0] = chalk.dim(`rows ${scroll.top + 1}-${scroll.top + visible.length} of ${rows.length}`);
  }
  const used = header.length + body.length + footer.length;
  const filler = Array.from({ length: Math.max(0, screen.height - 1 - used) }, () => "");
  return [...header, ...body.map((l) => fit(l, width)), ...filler, ...footer].slice(0, Math.max(1, screen.height - 1));
}

function headline(model: TopModel, count: number, screen: Screen): string {
  const parts = [chalk.bold("proclist top"), `${count} task${count === 1 ? "" : "s"}`, `sort: ${model.sort}`, `every ${formatInterval(model.intervalMs)}`, formatClock(screen.now)];
  if (model.paused) parts.push(chalk.inverse(" PAUSED "));
  return fit(parts.join(" · "), screen.width);
}

function endpointItem(e: EndpointView, now: number): string {
  if (e.up === undefined) return `${e.label} ${chalk.dim("connecting…")}`;
  if (e.up) return `${e.label} ${chalk.green("up")} (${e.list.procs.length})`;
  const since = e.downSince === undefined ? "" : ` for ${formatDuration(now - e.downSince)}`;
  const last = e.lastOk === undefined ? "" : `, last answer ${formatClock(e.lastOk)}`;
  return `${e.label} ${chalk.red.bold("DOWN")}${since}: ${e.error ?? "no answer"}${last}`;
}

function footerLine(model: TopModel): string {
  if (model.confirm !== undefined) {
    const { id, endpoint, forbidCancel } = model.confirm;
    const warn = forbidCancel ? chalk.yellow(" (started with forbidCancel: the server will refuse)") : "";
    return chalk.bold(`Kill task ${JSON.stringify(id)} on ${endpoint}? y to confirm, any other key to cancel`) + warn;
  }
  if (model.notice !== undefined) return model.notice.error ? chalk.red(model.notice.text) : model.notice.text;
  return "";
}

/** Endpoint statuses side by side, wrapped to the width, one per line when long. */
function wrapItems(items: string[], width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const item of items) {
    if (line !== "" && stringWidth(line) + 3 + stringWidth(item) > width) {
      lines.push(line);
      line = "";
    }
    line = line === "" ? item : `${line}   ${item}`;
  }
  if (line !== "") lines.push(line);
  return lines.slice(0, 6).map((l) => fit(l, width));
}

/**
 * Column widths that fit the screen: natural widths first; then the widest cuttable column loses
 * a character at a time down to a floor; then attribute columns are dropped from the right.
 * Endpoint, age and time-in-status are never cut.
 */
export function fitWidths(head: string[], cells: string[][], width: number): number[] {
  const natural = naturalWidths(head, cells);
  const fixed = new Set(["ENDPOINT", "AGE", "IN STATUS"].map((h) => head.indexOf(h)));
  const floor = (i: number) => (fixed.has(i) ? natural[i] : Math.min(natural[i], Math.max(6, stringWidth(head[i]))));
  const widths = [...natural];
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) if (widths[i] > floor(i) && (widest < 0 || widths[i] > widths[widest])) widest = i;
    if (widest >= 0) widths[widest]--;
    else if (widths.length > 1) widths.pop();
    else break;
  }
  return widths;
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
