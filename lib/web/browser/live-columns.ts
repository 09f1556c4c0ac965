import type { ColumnSpec } from "./columns";
import { el } from "./dom";
import { mayCancel, rights } from "./rights";
import type { LiveTask } from "./store";
import { formatAge, formatClock } from "./time";

const collator = new Intl.Collator(undefined, { numeric: true });

/** A column of the running tasks. */
export interface LiveColumn extends ColumnSpec {
  /** Text of the cell (and of the row's details when the column is dropped on a narrow screen). */
  text(task: LiveTask, now: number): string;
  /** Tooltip: the whole value when the cell may cut it. */
  title?(task: LiveTask): string;
  /** Builds the cell's content when plain text will not do (the cancel button). */
  render?(task: LiveTask): Node;
  /** Order for the header's sort button; absent = not sortable. */
  compare?(a: LiveTask, b: LiveTask): number;
  /** First click sorts descending (ages: oldest first). */
  descendingFirst?: boolean;
  /** An event may change the order (status, attributes); ages and ids never move. */
  volatile?: boolean;
  /** The text moves with the clock: rewritten every tick. */
  clock?: boolean;
  /** Shown only when this holds for some running task (a fleet's instance column). */
  when?(task: LiveTask): boolean;
  /** Its width follows its longest text (up to `max`), so a column of short ids leaves its room to the others. */
  sizedByContent?: boolean;
  /** Cut in the middle rather than at the end when narrower than its text: what tells ids apart is often their end. */
  cutMiddle?: boolean;
}

/** The age column's width: the widest age text ("59m 59s") and the cell's padding. */
export const AGE_MIN = 76;

/** The running table's columns, in display order. Narrow screens keep priority 0: id, age, status, cancel. */
export const LIVE_COLUMNS: LiveColumn[] = [
  {
    key: "instance",
    header: "instance",
    min: 80,
    max: "10rem",
    priority: 1,
    sizedByContent: true,
    text: (t) => t.instance ?? "",
    title: (t) => t.instance ?? "",
    compare: (a, b) => collator.compare(a.instance ?? "", b.instance ?? ""),
    when: (t) => t.instance !== undefined,
  },
  {
    key: "id",
    header: "id",
    min: 76,
    max: "12rem",
    priority: 0,
    sizedByContent: true,
    cutMiddle: true,
    text: (t) => t.id,
    title: (t) => (t.parent === undefined ? t.id : `${t.id} (child of ${t.parent})`),
    compare: (a, b) => collator.compare(a.id, b.id),
  },
  {
    key: "name",
    header: "name",
    min: 96,
    max: "14rem",
    priority: 1,
    sizedByContent: true,
    text: (t) => t.name,
    title: (t) => t.name,
    compare: (a, b) => collator.compare(a.name, b.name),
  },
  {
    key: "age",
    header: "age",
    // Never cut: wide enough for the widest age it writes ("59m 59s", "23h 59m"), checked by the console spec.
    min: AGE_MIN,
    max: "5.5rem",
    priority: 0,
    numeric: true,
    clock: true,
    descendingFirst: true,
    // A gone instance's task: its age when the instance went away, not a clock still running.
    text: (t, now) => formatAge(Math.max(0, (t.gone ?? now) - t.start)),
    compare: (a, b) => b.start - a.start,
  },
  {
    key: "status",
    header: "status",
    min: 90,
    max: "1.3fr",
    priority: 0,
    volatile: true,
    // A task a forced kill left running says for how long it has ignored its cancel, its status in the tooltip.
    clock: true,
    text: (t, now) => (t.ignoringSince === undefined ? t.status : ignoringText(t, now)),
    title: (t) => t.status,
    compare: (a, b) => collator.compare(a.status, b.status),
  },
  {
    key: "inStatus",
    header: "in status",
    min: 72,
    max: "5.5rem",
    priority: 3,
    numeric: true,
    clock: true,
    descendingFirst: true,
    volatile: true,
    text: (t, now) => formatAge(Math.max(0, (t.gone ?? now) - t.statusAt)),
    compare: (a, b) => b.statusAt - a.statusAt,
  },
  {
    // What the task waits on: its longest wait and for how long, and how many more.
    key: "waiting",
    header: "waiting on",
    min: 120,
    max: "1.5fr",
    priority: 2,
    volatile: true,
    clock: true,
    descendingFirst: true,
    text: (t, now) => waitText(t, now),
    title: (t) => t.waits.map((w) => `${w.kind} ${w.target}`).join("\n"),
    compare: (a, b) => (b.waits[0]?.since ?? Infinity) - (a.waits[0]?.since ?? Infinity),
    when: (t) => t.waits.length > 0,
  },
  {
    key: "attrs",
    header: "attributes",
    min: 160,
    max: "2fr",
    priority: 2,
    volatile: true,
    text: (t) => t.attrText,
    title: (t) => t.attrText,
    render: attrChips,
    compare: (a, b) => collator.compare(a.attrText, b.attrText),
  },
  {
    key: "action",
    header: "",
    min: 84,
    max: "6.5rem",
    priority: 0,
    text: () => "",
    render: actionFor,
  },
];

/** `ignoring the cancel for 32.0 s`: how long since the cancel a forced kill found the task ignoring. */
export function ignoringText(task: LiveTask, now: number): string {
  return `ignoring the cancel for ${formatAge(Math.max(0, (task.gone ?? now) - (task.ignoringSince ?? now)))}`;
}

/** `fetch GET payments:443/charge · 38.2 s (+1)`: the longest wait, its age, how many more; "" when none. */
export function waitText(task: LiveTask, now: number): string {
  const oldest = task.waits[0];
  if (oldest === undefined) return "";
  const more = task.waits.length - 1;
  return `${oldest.kind} ${oldest.target} · ${formatAge(Math.max(0, (task.gone ?? now) - oldest.since))}${more > 0 ? ` (+${more})` : ""}`;
}

/** Attributes as `key=value` chips: the key muted, the value as the wire gave it. */
export function attrChips(task: LiveTask): Node {
  const out = document.createDocumentFragment();
  for (const key in task.attrs) {
    const chip = el("span", "chip");
    const value = task.attrs[key];
    chip.append(el("span", "k", `${key}=`), document.createTextNode(typeof value === "string" ? value : JSON.stringify(value)));
    out.append(chip);
  }
  return out;
}

/** Cancel button, or why there is none. */
function actionFor(task: LiveTask): HTMLElement {
  if (task.gone !== undefined) {
    const gone = el("span", "unreachable", "instance gone");
    gone.title = `Instance ${task.instance} is gone since ${formatClock(task.gone)}: this is what it was running then; it cannot be reached to cancel.`;
    return gone;
  }
  if (task.forbidCancel) {
    const lock = el("span", "protected", "protected");
    lock.title = "Started with forbidCancel: the server refuses to cancel this task.";
    return lock;
  }
  if (task.cancelling) {
    // Cancelled but still running: force is the next step, where the token may take it.
    if (!mayCancel(task.name, true)) return el("span", "pending", "cancelling…");
    const force = el("button", "force", "Force");
    force.type = "button";
    force.title = `${task.ignoringSince === undefined ? "Still running after its cancel" : "It ignored its cancel"}: force ${task.id}…`;
    return force;
  }
  if (!mayCancel(task.name)) {
    const none = el("span", "no-right", "read only");
    none.title = `This token${rights.label === "" ? "" : ` (${rights.label})`} may not cancel ${task.name}: it has ${rights.can?.join(", ")}.`;
    return none;
  }
  const button = el("button", "cancel", "Cancel");
  button.type = "button";
  button.title = `Cancel ${task.id}…`;
  return button;
}
