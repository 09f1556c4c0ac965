import { idPath } from "../../client/id-path";
import type { WireKilled } from "../../wire/shapes";
import { ApiError, type Api } from "./api";
import { byId, el, setText } from "./dom";
import type { Store } from "./store";
import { formatClock, formatDuration } from "./time";

/**
 * Asks before cancelling: shows the task (id, name, status, age, attributes) as it moves on while
 * the dialog is open, and a message field, then sends `DELETE /procs/:id` with `{ message }`. When
 * the task ends meanwhile the dialog says so, and how, instead of sending a kill that would answer
 * 404. The server's refusal (forbidden, protected mode) is shown in the dialog, word for word.
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
  private id: string | undefined;
  /** The task's `rev` drawn last, so an unchanged task costs nothing per frame. */
  private drawn = "";
  /** The server answered 404 to the kill: the task ended before its done event arrived. */
  private gone = false;

  constructor(
    private readonly api: Api,
    private readonly store: Store,
    private readonly notify: (text: string) => void,
  ) {
    this.keep.addEventListener("click", () => this.dialog.close());
    this.dialog.addEventListener("close", () => (this.id = undefined));
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.send();
    });
  }

  open(id: string): void {
    this.id = id;
    this.gone = false;
    this.drawn = "";
    byId("cancel-id").textContent = id;
    this.message.value = "";
    this.error.hidden = true;
    this.draw(this.store.now(), true);
    this.dialog.showModal();
    this.message.focus();
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
    this.confirm.disabled = true;
    try {
      // In a fleet, the incarnation the row was read from: a restart in between gets a 410, not the new task with that id.
      const boot = task.boot === undefined ? "" : `?boot=${task.boot}`;
      await this.api.delete<WireKilled>(`procs/${idPath(id)}${boot}`, message === "" ? {} : { message });
      this.dialog.close();
      this.notify(`Cancel requested for ${id}${message === "" ? "" : `: “${message}”`}`);
    } catch (error) {
      // It ended between the last event and the kill: say so, as when the event arrives first.
      if (error instanceof ApiError && error.status === 404) {
        this.gone = true;
        this.drawn = "";
        this.draw(this.store.now(), true);
        return;
      }
      this.error.textContent = `The server refused: ${error instanceof Error ? error.message : String(error)}`;
      this.error.hidden = false;
      this.confirm.disabled = false;
    } finally {
    }
  }
}
