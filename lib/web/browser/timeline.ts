import type { WireTaskEvent, WireHistory, WirePastWait } from "../../wire/shapes";
import type { Api } from "./api";
import { idPath } from "../../client/id-path";
import { bidi, el } from "./dom";
import type { Store } from "./store";
import { formatClock, formatDuration, parseTime } from "./time";

interface Entry {
  ts: number;
  status: string;
}

/** A wait drawn under the statuses: a finished one from the history, or one still open (no outcome yet). */
interface WaitBar {
  since: number;
  kind: string;
  target: string;
  durationMs: number | undefined;
  outcome: WirePastWait["outcome"] | undefined;
}

export interface TimelineDom {
  title: HTMLElement;
  facts: HTMLElement;
  bars: HTMLElement;
  hint: HTMLElement;
}

/**
 * One task's history as a Gantt strip: each status a bar whose length is its share of the task's
 * life, its duration written beside it. Loaded once from `/procs/:id/history`, then extended by the
 * events stream; a running task's last bar grows with the clock.
 */
export class Timeline {
  private id: string | undefined;
  /** Shown because nothing is selected (the oldest running task), not chosen by the user. */
  private auto = false;
  /** The step whose full text is open (clicked), by index. */
  private openStep = -1;
  private entries: Entry[] = [];
  /** The task's finished waits its history keeps (those that lasted the server's waitHistoryMs). */
  private pastWaits: WaitBar[] = [];
  /** A wait of the shown task ended: its history is read again (once at a time) for the finished wait. */
  private waitsStale = false;
  private readingWaits = false;
  private dropped = 0;
  /** The link to the task's trace, when the server has a `traceUrl` template. */
  private traceUrl: string | undefined = undefined;
  private running = false;
  private dirty = false;
  private request = 0;

  constructor(
    private readonly api: Api,
    private readonly store: Store,
    private readonly dom: TimelineDom,
    private readonly invalidate: () => void,
  ) {
    dom.bars.addEventListener("click", (e) => {
      const step = (e.target as HTMLElement).closest<HTMLElement>(".step[data-i]");
      if (step === null) return;
      const i = Number(step.dataset.i);
      this.openStep = this.openStep === i ? -1 : i;
      this.dirty = true;
      this.invalidate();
    });
  }

  /** The task shown, chosen or picked as the oldest running. */
  get selected(): string | undefined {
    return this.id;
  }

  /** Whether the task shown was picked because nothing is selected. */
  get automatic(): boolean {
    return this.auto;
  }

  /** Nothing to show: the hint says how to choose a task. */
  clear(): void {
    ++this.request;
    this.id = undefined;
    this.auto = false;
    this.entries = [];
    this.pastWaits = [];
    this.traceUrl = undefined;
    this.running = false;
    this.dom.title.textContent = "";
    this.dom.facts.replaceChildren();
    this.dom.bars.replaceChildren();
    this.hint(
      this.store.live.size === 0
        ? "Nothing is running. Click a finished task to see its timeline."
        : "Click a running or finished task to see its timeline.",
    );
  }

  /** Shows a task's timeline (live or kept finished); fetches its history. `auto`: shown because nothing is selected. */
  async show(id: string, auto = false): Promise<void> {
    const request = ++this.request;
    if (id !== this.id) this.openStep = -1;
    this.id = id;
    this.auto = auto;
    this.hint(auto ? "The oldest running task; click a task to choose another." : "");
    this.entries = [];
    this.pastWaits = [];
    this.traceUrl = undefined;
    this.dirty = true;
    this.invalidate();
    try {
      const answer = await this.api.get<WireHistory>(`procs/${idPath(id)}/history`);
      if (request !== this.request) return;
      this.entries = answer.history.map((h) => ({ ts: parseTime(h.ts), status: h.status }));
      this.pastWaits = pastWaitsOf(answer);
      this.dropped = answer.dropped ?? 0;
      // Only web links: a server could send any scheme.
      this.traceUrl = answer.traceUrl !== undefined && /^https?:\/\//.test(answer.traceUrl) ? answer.traceUrl : undefined;
      this.running = this.store.live.has(id);
    } catch (error) {
      if (request !== this.request) return;
      this.hint("No history for ", bidi(id), ": ", bidi(error instanceof Error ? error.message : String(error)));
    }
    this.dirty = true;
    this.invalidate();
  }

  /** Extends the shown timeline with an event of its task. */
  event(event: WireTaskEvent): void {
    if (event.type === "start" || event.type === "attr") {
      if (event.type === "attr" && event.id === this.id) this.dirty = true;
      return;
    }
    if (event.type === "wait") {
      if (event.id !== this.id) return;
      this.dirty = true;
      this.waitsStale = true;
      void this.readWaits();
      return;
    }
    if (event.id !== this.id || this.entries.length === 0 || !this.running) return;
    const ts = parseTime(event.ts);
    if (ts < this.entries[this.entries.length - 1].ts) return; // already in the fetched history
    if (event.type === "status") this.entries.push({ ts, status: event.status });
    else if (event.type === "kill")
      this.entries.push({ ts, status: event.message === undefined ? "[cancel request]" : `[cancel request: ${event.message}]` });
    else {
      this.entries.push({ ts, status: event.status });
      this.running = false;
    }
    this.dirty = true;
  }

  /** Reads the shown task's finished waits again, one read at a time, while a wait event says they changed. */
  private async readWaits(): Promise<void> {
    if (this.readingWaits) return;
    this.readingWaits = true;
    try {
      while (this.waitsStale && this.id !== undefined) {
        this.waitsStale = false;
        const id = this.id;
        const answer = await this.api.get<WireHistory>(`procs/${idPath(id)}/history`);
        if (id !== this.id) continue;
        this.pastWaits = pastWaitsOf(answer);
        this.dirty = true;
        this.invalidate();
      }
    } catch {
      // the next wait event, or choosing the task again, reads them again
    } finally {
      this.readingWaits = false;
    }
  }

  draw(now: number, tick: boolean): void {
    if (!this.dirty && !(tick && this.running)) return;
    this.dirty = false;
    this.drawFacts();
    const { entries } = this;
    if (entries.length === 0) {
      this.dom.bars.replaceChildren();
      return;
    }
    const start = entries[0].ts;
    const end = this.running ? Math.max(now, entries[entries.length - 1].ts) : entries[entries.length - 1].ts;
    const span = Math.max(end - start, 1e-3);
    const rows: HTMLElement[] = [];
    const colours = new Map<string, number>();
    entries.forEach((entry, i) => {
      const last = i === entries.length - 1;
      const until = last ? end : entries[i + 1].ts;
      const ms = until - entry.ts;
      const open = i === this.openStep;
      const row = el("div", `step ${kindOf(entry.status, colours)}${last && this.running ? " current" : ""}${open ? " open" : ""}`);
      row.dataset.i = String(i);
      const label = el("span", "label", entry.status);
      row.title = `${entry.status}\nat ${formatClock(entry.ts)}, for ${formatDuration(ms)}${last && this.running ? " so far" : ""}`;
      const track = el("span", "track");
      const bar = el("span", last && !this.running ? "bar mark" : "bar");
      bar.style.left = `${((entry.ts - start) / span) * 100}%`;
      bar.style.width = last && !this.running ? "" : `${(ms / span) * 100}%`;
      track.append(bar);
      const text = last && !this.running ? formatClock(entry.ts) : `${formatDuration(ms)}${last ? " …" : ""}`;
      row.append(label, track, el("span", "ms", text));
      if (open)
        row.append(
          el(
            "span",
            "when",
            `at ${formatClock(entry.ts)}${last && !this.running ? "" : `, for ${formatDuration(ms)}${last ? " so far" : ""}`}`,
          ),
        );
      rows.push(row);
      if (i === 0 && this.dropped > 0)
        rows.push(el("div", "step dropped", `… ${this.dropped} older entries dropped by the history bound …`));
    });
    rows.push(...this.waitRows(start, end, span));
    const axis = el("div", "step axis");
    const ticks = el("span", "ticks");
    ticks.append(el("span", "", "0"), el("span", "", formatDuration(end - start)));
    axis.append(el("span"), ticks, el("span"));
    rows.push(axis);
    this.dom.bars.replaceChildren(...rows);
  }

  /** The waits under the statuses: the finished ones the history keeps, then those open now, each a bar on the same scale. */
  private waitRows(start: number, end: number, span: number): HTMLElement[] {
    const live = this.id === undefined ? undefined : this.store.live.get(this.id);
    const open: WaitBar[] =
      this.running && live !== undefined ? live.waits.map((w) => ({ ...w, durationMs: undefined, outcome: undefined })) : [];
    const rows: HTMLElement[] = [];
    for (const wait of [...this.pastWaits, ...open]) {
      const ms = wait.durationMs ?? Math.max(0, end - wait.since);
      const what = `${wait.kind} ${wait.target}`;
      const row = el("div", `step wait${wait.outcome === undefined ? " current" : ` w-${wait.outcome}`}`);
      row.title = `waiting on ${what}\nfrom ${formatClock(wait.since)}, for ${formatDuration(ms)}${wait.outcome === undefined ? " so far" : `, ${wait.outcome}`}`;
      const track = el("span", "track");
      const bar = el("span", "bar");
      bar.style.left = `${(Math.max(0, wait.since - start) / span) * 100}%`;
      bar.style.width = `${(Math.min(ms, span) / span) * 100}%`;
      track.append(bar);
      row.append(
        el("span", "label", `⧗ ${what}`),
        track,
        el("span", "ms", `${formatDuration(ms)}${wait.outcome === undefined ? " …" : wait.outcome === "ok" ? "" : ` ${wait.outcome}`}`),
      );
      rows.push(row);
    }
    return rows;
  }

  /** Says how to choose a task, or why none is shown; text from the server comes as `bdi` parts. */
  private hint(...parts: (string | Node)[]): void {
    this.dom.hint.replaceChildren(...parts);
    this.dom.hint.hidden = this.dom.hint.textContent === "";
  }

  private drawFacts(): void {
    const { id } = this;
    if (id === undefined) return;
    const live = this.store.live.get(id);
    const done = live === undefined ? this.store.finished.find((f) => f.id === id) : undefined;
    const name = live?.name ?? done?.name;
    const named = name !== undefined && name !== id;
    if (this.dom.title.textContent !== (named ? `${id} · ${name}` : id))
      this.dom.title.replaceChildren(...(named ? [bidi(id), " · ", bidi(name)] : [bidi(id)]));
    const facts: [string, string][] = [];
    if (live !== undefined) {
      facts.push(["status", live.status], ["started", formatClock(live.start)]);
      if (live.parent !== undefined) facts.push(["parent", live.parent]);
      for (const key in live.attrs) facts.push([key, stringOf(live.attrs[key])]);
      if (live.forbidCancel) facts.push(["cancel", "not allowed: this task was started with forbidCancel, the server refuses to kill it"]);
      else if (live.cancelling) facts.push(["cancel", "requested; the task stops at its next cancellation point"]);
    } else if (done !== undefined) {
      facts.push(["outcome", done.outcome], ["duration", formatDuration(done.durationMs)], ["ended", formatClock(done.end)]);
      if (done.killedBy !== undefined) facts.push(["killed by", done.killedBy]);
      if (done.error !== undefined) facts.push(["error", done.error]);
      if (done.attrText !== "") facts.push(["attributes", done.attrText]);
    }
    const list = facts.flatMap(([k, v]) => [el("dt", "", k), el("dd", "", v)]);
    if (this.traceUrl !== undefined) list.push(el("dt", "", "trace"), traceLink(this.traceUrl));
    this.dom.facts.replaceChildren(...list);
  }
}

function traceLink(url: string): HTMLElement {
  const dd = el("dd");
  const a = el("a", "trace-link", url);
  // setAttribute: the page spec checks the bundle carries no `href=` to elsewhere, and this one is the server's link.
  a.setAttribute("href", url);
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  dd.append(a);
  return dd;
}

function stringOf(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Colour class of a status: outcomes and cancel requests have their own, the others take the
 * palette in order of first appearance, so neighbouring phases never share a colour.
 */
function kindOf(status: string, colours: Map<string, number>): string {
  if (status === "init") return "k-init";
  if (status === "ended") return "k-ended";
  if (status === "aborted") return "k-aborted";
  if (status.startsWith("killed") || status.startsWith("[cancel request")) return "k-killed";
  let colour = colours.get(status);
  if (colour === undefined) colours.set(status, (colour = colours.size % 6));
  return `k-${colour}`;
}

function pastWaitsOf(answer: WireHistory): WaitBar[] {
  return (answer.waits ?? []).map((w) => ({
    since: parseTime(w.since),
    kind: w.kind,
    target: w.target,
    durationMs: w.durationMs,
    outcome: w.outcome,
  }));
}
