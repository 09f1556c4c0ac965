import stringWidth from "string-width";
import { formatDuration, formatStatus, formatValue, formatWhen, truncate } from "./format";
import { attrNames, waitCell, type Row } from "./rows";
import { renderTable } from "./table";

/** Longest value a cell shows before the widths are fitted. */
const MAX_VALUE = 200;

/**
 * A column of the task table that `top` draws and `ls` prints on a terminal. Narrow terminals
 * first drop the `dropFirst` columns (the endpoint a task runs on, time in status), then cut the
 * others down to their floor, then drop by falling `priority` (0 = never: id, age, status). A new
 * column (a fleet's instance) is one entry.
 */
export interface TaskColumn {
  head: string;
  cell(row: Row): string;
  priority: number;
  /** Narrowest it may be cut to; undefined = never cut (ages, times). */
  floor?: number;
  /** Dropped before any column is cut. */
  dropFirst?: boolean;
}

/** The columns for these rows: attributes found over all of them, AS OF when some come from a down endpoint. */
export function taskColumns(rows: Row[], where = "ENDPOINT"): TaskColumn[] {
  const named = rows.some((r) => r.proc.name !== undefined);
  const stale = rows.some((r) => r.asOf !== undefined);
  const waiting = rows.some((r) => r.waitAgeMs !== undefined);
  const profiling = rows.some((r) => r.cpuShare !== undefined);
  return [
    // On endpoints the id is enough to act on (the endpoint goes first on a narrow terminal); in a
    // fleet the instance is half of what kill and history take (`<instance>/<id>`): it always
    // stays, uncut, since two pods' names differ at their end.
    where === "INSTANCE"
      ? { head: where, cell: (r: Row) => formatValue(r.endpoint), priority: 0 }
      : { head: where, cell: (r: Row) => formatValue(r.endpoint), priority: 9, dropFirst: true },
    { head: "ID", cell: (r) => formatValue(r.proc.id), priority: 0, floor: 10 },
    ...(named ? [{ head: "NAME", cell: (r: Row) => formatValue(r.proc.name ?? ""), priority: 5, floor: 12 }] : []),
    { head: "AGE", cell: (r) => formatDuration(r.ageMs), priority: 0 },
    {
      head: "STATUS",
      cell: (r) => formatStatus(r.proc.status, r.proc.cancelling, r.ignoringMs ?? false),
      priority: 0,
      floor: 16,
    },
    // While a CPU profile runs: the share of its time so far each task's code was current.
    ...(profiling
      ? [{ head: "CPU", cell: (r: Row) => (r.cpuShare === undefined ? "" : `${Math.round(r.cpuShare * 100)}%`), priority: 2 }]
      : []),
    { head: "IN STATUS", cell: (r) => formatDuration(r.statusAgeMs), priority: 8, dropFirst: true },
    ...(waiting ? [{ head: "WAITING ON", cell: waitCell, priority: 4, floor: 24 }] : []),
    ...(stale ? [{ head: "AS OF", cell: (r: Row) => (r.asOf === undefined ? "" : formatWhen(r.asOf)), priority: 1 }] : []),
    ...attrNames(rows).map((a) => ({
      head: formatValue(a.toUpperCase()),
      cell: (r: Row) => (Object.hasOwn(r.proc.attrs, a) ? formatValue(r.proc.attrs[a]) : ""),
      priority: 3,
      floor: 8,
    })),
  ];
}

/** The cells of the visible rows, each cut to MAX_VALUE. */
export function cellsOf(columns: TaskColumn[], rows: Row[]): string[][] {
  return rows.map((r) => columns.map((c) => truncate(c.cell(r), MAX_VALUE)));
}

/**
 * Which columns fit `width` and how wide each is: drop the dropFirst ones while the natural widths
 * do not fit; then drop by falling priority (the rightmost of equals first) while even the floors
 * do not fit; then cut the widest cuttable column a character at a time.
 */
export function fitColumns(columns: TaskColumn[], cells: string[][], width: number): { keep: number[]; widths: number[] } {
  const natural = columns.map((c, i) => cells.reduce((max, row) => Math.max(max, stringWidth(row[i] ?? "")), stringWidth(c.head)));
  const floor = (i: number) => Math.min(natural[i], Math.max(columns[i].floor ?? natural[i], stringWidth(columns[i].head)));
  let keep = columns.map((_, i) => i);
  const total = (widths: (i: number) => number) => keep.reduce((sum, i) => sum + widths(i), 0) + 2 * (keep.length - 1);
  const dropOne = (may: (c: TaskColumn) => boolean): boolean => {
    let worst = -1;
    for (const i of keep) if (may(columns[i]) && (worst < 0 || columns[i].priority >= columns[worst].priority)) worst = i;
    if (worst < 0) return false;
    keep = keep.filter((i) => i !== worst);
    return true;
  };
  while (total((i) => natural[i]) > width && dropOne((c) => c.dropFirst === true));
  while (total(floor) > width && dropOne((c) => c.priority > 0));
  const widths = new Map(keep.map((i) => [i, natural[i]]));
  while (total((i) => widths.get(i)!) > width) {
    let widest = -1;
    for (const i of keep) if (widths.get(i)! > floor(i) && (widest < 0 || widths.get(i)! > widths.get(widest)!)) widest = i;
    if (widest < 0) break;
    widths.set(widest, widths.get(widest)! - 1);
  }
  return { keep, widths: keep.map((i) => widths.get(i)!) };
}

/** The table of `rows` under `columns` fitted to `width` (see `fitColumns`): its header line, then a line per row. */
export function fittedTable(columns: TaskColumn[], rows: Row[], width: number): string[] {
  const cells = cellsOf(columns, rows);
  const { keep, widths } = fitColumns(columns, cells, width);
  return renderTable(
    keep.map((i) => columns[i].head),
    cells.map((row) => keep.map((i) => row[i])),
    { widths },
  );
}
