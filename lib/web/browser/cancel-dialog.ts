import { describeForce } from "../../client/force-text";
import { idPath } from "../../client/id-path";
import type { WireKilled } from "../../wire/shapes";
import { ApiError, type Api } from "./api";
import { byId, el, isolate, setText } from "./dom";
import { ignoringText } from "./live-columns";
import { mayCancel } from "./rights";
import type { Store } from "./store";
import { formatClock, formatDuration } from "./time";

/** The grace the force option offers for a task not yet cancelled, in seconds (the server's default). */
const DEFAULT_GRACE_S = 5;
/** The longest grace the server takes: one hour. */
const MAX_GRACE_S = 3600;

/**
 * Asks before cancelling: shows the task (id, name, status, age, attributes) as it moves on while
 * the dialog is open, and a message field, then sends `DELETE /procs/:id` with `{ message }`. When
 * the task ends meanwhile the dialog says so, and how, instead of sending a kill that would answer
 * 404. The server's refusal (forbidden, protected mode) is shown in the dialog, word for word.
 * Where the token has the `force` right it offers "force it if it still runs after N s": the kill
 * then carries `{ force, graceMs }`, the dialog says it waits, and the answer (which comes once
 * the ladder is over) is said in the notice. Opened from a cancelled task's Force button it
 * forces at once: the task has had its cancel already.
 */
export class CancelDialog {
  private readonly dialog = byId<HTMLDialogElement>("cancel-dialog");
  private readonly form = byId<HTMLFormElement>("cancel-form");
  private readonly message = byId<HTMLInputElement>("cancel-message");
  private readonly error = byId("cancel-error");
  private readonly ended = byId("cancel-ended");
  private readonly confirm = byId<HTMLButtonElement>("cancel-confirm");
  private readonly keep = byId<HTMLButtonElement>("cancel-keep");
  private readonly facts = byId("cancel-facts");
  private readonly verb = byId("cancel-verb");
  private readonly forceRow = byId("cancel-force-row");
  private readonly force = byId<HTMLInputElement>("cancel-force");
  private readonly grace = byId<HTMLInputElement>("cancel-grace");
  private readonly progress = byId("cancel-progress");
  private id: string | undefined;
  /** The task's `rev` drawn last, so an unchanged task costs nothing per frame. */
  private drawn = "";
  /** The server answered 404 to the kill: the task ended before its done event arrived. */
  private gone = false;

  constructor(
    private readonly api: Api,
    private readonly store: Store,
    private readonly notify: (text: string) => void,
    /** A kill was sent and answered (accepted or refused): the audit has a new entry. */
    private readonly sent: () => void = () => undefined,
  ) {
    this.keep.addEventListener("click", () => this.dialog.close());
    this.dialog.addEventListener("close", () => (this.id = undefined));
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.send();
    });
    this.force.addEventListener("change", () => this.label());
  }

  /** Opens the dialog for a task: to cancel it, or (`force`, its Force button) to force it at once. */
  open(id: string, force = false): void {
    this.id = id;
    this.gone = false;
    this.drawn = "";
    byId("cancel-id").textContent = id;
    this.message.value = "";
    this.error.hidden = true;
    this.progress.hidden = true;
    this.confirm.disabled = false;
    const task = this.store.live.get(id);
    this.forceRow.hidden = task === undefined || !mayCancel(task.name, true);
    this.force.checked = force;
    this.grace.value = String(force ? 0 : DEFAULT_GRACE_S);
    setText(this.verb, force ? "Force" : "Cancel");
    this.label();
    this.draw(this.store.now(), true);
    this.dialog.showModal();
    this.message.focus();
  }

  /** The confirm button says what it will do. */
  private label(): void {
    setText(this.confirm, this.force.checked && !this.forceRow.hidden ? "Force task" : "Cancel task");
  }

  /** Follows the task while open: its status and age move on; its end disables the kill. */
  draw(now: number, tick: boolean): void {
    const id = this.id;
    if (id === undefined) return;
    const task = this.gone ? undefined : this.store.live.get(id);
    const state = task === undefined ? "gone" : `${task.rev}`;
    if (state === this.drawn && !tick) return;
    this.drawn = state;
    if (task !== undefined) {
      const facts: [string, string][] = [
        ["name", task.name],
        ["status", task.status],
        ["age", formatDuration(now - task.start)],
      ];
      if (task.attrText !== "") facts.push(["attributes", task.attrText]);
      if (task.ignoringSince !== undefined) facts.push(["force", ignoringText(task, now)]);
      else if (task.cancelling) facts.push(["force", "cancelled, still running"]);
      this.facts.replaceChildren(...facts.flatMap(([k, v]) => [el("dt", "", k), el("dd", `fact-${k}`, v)]));
      this.ended.hidden = true;
      this.confirm.hidden = false;
      setText(this.keep, "Keep running");
      return;
    }
    const done = this.store.finished.find((f) => f.id === id);
    const how =
      done === undefined
        ? ""
        : `: ${done.outcome}${done.status.startsWith("killed") ? ` (${done.status})` : ""} at ${formatClock(done.end)}, after ${formatDuration(done.durationMs)}`;
    setText(this.ended, `This task ended while the dialog was open${how}. There is nothing left to cancel.`);
    this.ended.hidden = false;
    this.confirm.hidden = true;
    setText(this.keep, "Close");
  }

  private async send(): Promise<void> {
    const id = this.id;
    const task = id === undefined ? undefined : this.store.live.get(id);
    if (id === undefined || this.gone || task === undefined) return;
    const message = this.message.value.trim();
    const force = this.force.checked && !this.forceRow.hidden;
    const grace = Number(this.grace.value);
    if (force && !(Number.isInteger(grace) && grace >= 0 && grace <= MAX_GRACE_S)) {
      this.error.textContent = `The grace is a whole number of seconds from 0 to ${MAX_GRACE_S}.`;
      this.error.hidden = false;
      return;
    }
    const body: { message?: string; force?: true; graceMs?: number } = message === "" ? {} : { message };
    if (force) Object.assign(body, { force: true, graceMs: grace * 1000 });
    this.confirm.disabled = true;
    this.error.hidden = true;
    if (force) {
      // The answer comes once the ladder is over: say what is awaited meanwhile.
      setText(this.progress, grace === 0 ? "Forcing…" : `Cancel sent; forcing in ${grace} s if it still runs…`);
      this.progress.hidden = false;
    }
    try {
      // In a fleet, the incarnation the row was read from: a restart in between gets a 410, not the new task with that id.
      const boot = task.boot === undefined ? "" : `?boot=${task.boot}`;
      const answer = await this.api.delete<WireKilled>(`procs/${idPath(id)}${boot}`, body);
      if (this.id === id) this.dialog.close();
      const said = message === "" ? "" : `: “${isolate(message)}”`;
      if (!force) this.notify(`Cancel requested for ${isolate(id)}${said}`);
      else if (answer.force === undefined) this.notify(`Cancel requested for ${isolate(id)}${said}; the server did not force it`);
      else this.notify(describeForce(isolate(id), answer.force, formatDuration));
    } catch (error) {
      // An answer is a refusal; no answer (the server went away, say during a force's grace) leaves
      // what was done unknown, and saying "refused" would tell the operator nothing happened.
      const text = isolate(error instanceof Error ? error.message : String(error));
      const refused =
        error instanceof ApiError
          ? `The server refused: ${text}`
          : `No answer from the server (${text}): whether the ${force ? "forced kill" : "cancel"} was done is not known.`;
      if (this.id !== id) return this.notify(refused);
      this.progress.hidden = true;
      // It ended between the last event and the kill: say so, as when the event arrives first.
      if (error instanceof ApiError && error.status === 404) {
        this.gone = true;
        this.drawn = "";
        this.draw(this.store.now(), true);
        return;
      }
      this.error.textContent = refused;
      this.error.hidden = false;
      this.confirm.disabled = false;
    } finally {
      this.sent();
    }
  }
}
