import type { WireKilled } from "../../wire/shapes";
import type { Api } from "./api";
import { byId, el } from "./dom";
import type { LiveTask, Store } from "./store";
import { formatDuration } from "./time";

/**
 * Asks before cancelling: shows the task (id, name, status, age, attributes) and a message field,
 * then sends `DELETE /procs/:id` with `{ message }`. The server's refusal (forbidden, protected
 * mode, already gone) is shown in the dialog, word for word.
 */
export class CancelDialog {
  private readonly dialog = byId<HTMLDialogElement>("cancel-dialog");
  private readonly form = byId<HTMLFormElement>("cancel-form");
  private readonly message = byId<HTMLInputElement>("cancel-message");
  private readonly error = byId("cancel-error");
  private readonly confirm = byId<HTMLButtonElement>("cancel-confirm");
  private task: LiveTask | undefined;

  constructor(
    private readonly api: Api,
    private readonly store: Store,
    private readonly notify: (text: string) => void,
  ) {
    byId("cancel-keep").addEventListener("click", () => this.dialog.close());
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.send();
    });
  }

  open(task: LiveTask): void {
    this.task = task;
    byId("cancel-id").textContent = task.id;
    const facts: [string, string][] = [
      ["name", task.name],
      ["status", task.status],
      ["age", formatDuration(this.store.now() - task.start)],
    ];
    if (task.attrText !== "") facts.push(["attributes", task.attrText]);
    byId("cancel-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", "", k), el("dd", "", v)]));
    this.message.value = "";
    this.error.hidden = true;
    this.confirm.disabled = false;
    this.dialog.showModal();
    this.message.focus();
  }

  private async send(): Promise<void> {
    const task = this.task;
    if (task === undefined) return;
    const message = this.message.value.trim();
    this.confirm.disabled = true;
    try {
      await this.api.delete<WireKilled>(`procs/${encodeURIComponent(task.id)}`, message === "" ? {} : { message });
      this.dialog.close();
      this.notify(`Cancel requested for ${task.id}${message === "" ? "" : `: “${message}”`}`);
    } catch (error) {
      this.error.textContent = `The server refused: ${error instanceof Error ? error.message : String(error)}`;
      this.error.hidden = false;
      this.confirm.disabled = false;
    }
  }
}
